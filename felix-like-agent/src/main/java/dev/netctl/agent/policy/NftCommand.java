package dev.netctl.agent.policy;

import dev.netctl.agent.exec.Exec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How {@link PolicyManager} talks to nftables: run one script as one transaction, and list its own
 * table. Behind an interface so the manager is unit-tested without root.
 */
public interface NftCommand extends AutoCloseable {

  /**
   * Runs {@code script} as one atomic transaction ({@code nft -f -}).
   *
   * @throws NftException with nft's message when the kernel refused it (nothing applied)
   */
  void run(String script);

  /**
   * Applies {@code tx} as one atomic transaction. By default as its {@code nft -f} script; {@link
   * Binary} writes it to the kernel over netlink ({@link NftBatch}) and falls back to the script.
   *
   * @throws NftException when it was refused (nothing applied)
   */
  default void apply(NftTransaction tx) {
    run(tx.text());
  }

  /** Checks {@code script} without applying it ({@code nft -c -f -}). */
  void check(String script);

  /**
   * {@code nft -j list table <family> <name>}, or null when the table does not exist. Never lists
   * the whole ruleset (slow with many rules, and not ours).
   */
  String listTableJson(String family, String name);

  /**
   * One named set's element changes.
   *
   * @param set the set's name
   * @param type its nft type, e.g. {@code ipv4_addr . inet_proto . inet_service}
   * @param add elements to add, as nft writes them
   * @param delete elements to delete
   */
  record ElementDelta(String set, String type, List<String> add, List<String> delete) {}

  /**
   * Applies element changes to sets of table {@code family name} as one transaction (deletions
   * before additions, set by set). By default as an nft script; {@link Binary} sends them over
   * netlink when it can (no nft process, no cache reload).
   *
   * @throws NftException when the kernel refused them (nothing applied)
   */
  default void updateElements(String family, String name, List<ElementDelta> deltas) {
    run(elementScript(family, name, deltas));
  }

  /** The nft script of {@link #updateElements}. */
  static String elementScript(String family, String name, List<ElementDelta> deltas) {
    return elementTransaction(family, name, deltas).text();
  }

  /** {@link #updateElements}'s changes as a transaction: per set, deletions then additions. */
  static NftTransaction elementTransaction(String family, String name, List<ElementDelta> deltas) {
    List<NftOp> ops = new ArrayList<>();
    for (ElementDelta d : deltas) NftOp.Elements.of(d, ops);
    return new NftTransaction(family, name, ops);
  }

  /** nft failed; the message is nft's. */
  sealed class NftException extends RuntimeException permits OutcomeUnknownException {
    private static final long serialVersionUID = 1L;

    public NftException(String message) {
      super(message);
    }
  }

  /**
   * A transaction was sent to the kernel but its answer was not read (the socket failed after the
   * batch went out): it may have applied or not. Never retried as it is (an {@code nft -f} of the
   * same commands could add its rules twice); the caller must relearn what the kernel holds.
   */
  final class OutcomeUnknownException extends NftException {
    private static final long serialVersionUID = 1L;

    public OutcomeUnknownException(String message) {
      super(message);
    }
  }

  /** Releases what it holds (a socket); nothing by default. */
  @Override
  default void close() {}

  /**
   * The {@code nft} binary, optionally inside a network namespace ({@code ip netns exec}).
   *
   * @param netns the namespace, or null for the current one
   */
  static Binary binary(String netns) {
    return new Binary(netns);
  }

  /**
   * Transactions and set element changes go over netlink ({@link NftNetlink}) when a netfilter
   * socket can be opened and {@link NftBatch} encodes them; otherwise, and for scripts, checks and
   * listings, it runs the {@code nft} binary.
   */
  final class Binary implements NftCommand {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final System.Logger LOG = System.getLogger("netctl.agent.policy");

    // after a socket could not be opened, how long nft does everything before the next try
    private static final long REOPEN_NANOS = Duration.ofSeconds(30).toNanos();

    private final String netns;
    private NftNetlink netlink;
    private long nextOpen = System.nanoTime();
    private String openFailure;
    private String fallback;
    private boolean closed;

    Binary(String netns) {
      this.netns = netns;
    }

    @Override
    public void run(String script) {
      exec(script, "-f", "-");
    }

    @Override
    public void check(String script) {
      exec(script, "-c", "-f", "-");
    }

    /**
     * Whether a netfilter socket is open: transactions and element changes go over netlink (false
     * until the first one, after a refusal until the next, or without netlink).
     */
    synchronized boolean usesNetlink() {
      return netlink != null;
    }

    @Override
    public synchronized void updateElements(String family, String name, List<ElementDelta> d) {
      NftTransaction tx = elementTransaction(family, name, d);
      if (tx.isEmpty()) return;
      NftNetlink n = netlink();
      if (n != null) {
        try {
          if (n.apply(tx)) return;
          fallback = "not encoded: " + tx.excerpt();
        } catch (NftException e) {
          // refused: the caller resynchronises the whole table rather than retrying with nft
          dropSocket();
          throw e;
        }
        logFallback();
      }
      run(tx.text());
    }

    private void logFallback() {
      // Said, not only kept: a batch nft applies but the kernel refused from us is our
      // encoder's fault, and a silent fallback would hide it behind a slower path.
      LOG.log(
          System.Logger.Level.WARNING,
          "nftables transaction not sent over netlink ({0}); applying it with nft -f",
          fallback);
    }

    /**
     * Closes the netfilter socket: an agent restarted in its process (a FelixConfiguration change)
     * gets a new command, and each would otherwise keep one open. A change after this goes through
     * nft.
     */
    @Override
    public synchronized void close() {
      closed = true;
      if (netlink != null) dropSocket();
    }

    /** After a failed batch: a socket whose answers may still be pending is not reused. */
    private void dropSocket() {
      netlink.close();
      netlink = null;
    }

    /**
     * Over netlink when it can (no nft process: nft's user-space parse and evaluation of a
     * multi-megabyte script costs about as much as the kernel's work); through {@code nft -f} when
     * a socket cannot be opened, the transaction uses what {@link NftBatch} does not encode, or the
     * kernel refused the batch (nothing of it applied: nft then applies it, or says what it cannot
     * apply, as without netlink).
     *
     * @throws OutcomeUnknownException when the batch was sent but its answer not read (not retried
     *     with nft: it may have applied)
     */
    @Override
    public synchronized void apply(NftTransaction tx) {
      NftNetlink n = netlink();
      if (n != null) {
        try {
          if (n.apply(tx)) return;
          fallback = "not encoded: " + tx.excerpt();
        } catch (NftException e) {
          dropSocket();
          if (e instanceof OutcomeUnknownException) throw e; // not through nft: it may have applied
          fallback = e.getMessage();
        }
        logFallback();
      }
      run(tx.text());
    }

    /**
     * Why the last transaction or element change that went through nft did not go over netlink (not
     * encoded, refused, or no socket), or null when none did since the last call; forgotten once
     * read. For tests and benchmarks, which must not compare nft with nft unawares.
     */
    public synchronized String takeFallback() {
      String f = fallback;
      fallback = null;
      return f;
    }

    /**
     * The open socket, or null: then nft does everything until a later try (after {@link
     * #REOPEN_NANOS}) opens one. The first failure is logged, with its reason; later ones are not
     * (the reason is kept as the fallback's).
     */
    private NftNetlink netlink() {
      if (closed) {
        fallback = "closed";
        return null;
      }
      if (netlink == null && System.nanoTime() - nextOpen >= 0) {
        try {
          netlink = NftNetlink.open(netns);
          if (openFailure != null) {
            LOG.log(System.Logger.Level.INFO, "netfilter netlink socket opened; nft -f no more");
          }
          openFailure = null;
        } catch (RuntimeException | LinkageError e) {
          // e.g. no native access, no CAP_NET_ADMIN: nft does the same, slower
          if (openFailure == null) {
            LOG.log(
                System.Logger.Level.WARNING,
                "no netfilter netlink socket ({0}); nftables changes go through nft -f, slower;"
                    + " retried every {1} s",
                String.valueOf(e.getMessage()),
                Duration.ofNanos(REOPEN_NANOS).toSeconds());
          }
          openFailure = "no netlink socket: " + e.getMessage();
          nextOpen = System.nanoTime() + REOPEN_NANOS;
        }
      }
      if (netlink == null) fallback = openFailure;
      return netlink;
    }

    @Override
    public String listTableJson(String family, String name) {
      try {
        return exec("", "-j", "list", "table", family, name);
      } catch (NftException e) {
        if (e.getMessage().contains("No such file or directory")) return null;
        throw e;
      }
    }

    private String exec(String stdin, String... args) {
      List<String> cmd = new ArrayList<>();
      if (netns != null) cmd.addAll(List.of("ip", "netns", "exec", netns));
      cmd.add("nft");
      cmd.addAll(List.of(args));
      Exec.Result r = Exec.run(TIMEOUT, Map.of(), stdin, cmd);
      if (!r.completed()) throw new NftException(r.abort());
      if (!r.ok()) throw new NftException(r.stderr().strip());
      return r.stdout();
    }
  }
}
