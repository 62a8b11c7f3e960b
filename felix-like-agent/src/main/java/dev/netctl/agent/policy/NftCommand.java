package dev.netctl.agent.policy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How {@link PolicyManager} talks to nftables: run one script as one transaction, and list its own
 * table. Behind an interface so the manager is unit-tested without root.
 */
public interface NftCommand {

  /**
   * Runs {@code script} as one atomic transaction ({@code nft -f -}).
   *
   * @throws NftException with nft's message when the kernel refused it (nothing applied)
   */
  void run(String script);

  /** Checks {@code script} without applying it ({@code nft -c -f -}). */
  void check(String script);

  /**
   * {@code nft -j list table <family> <name>}, or null when the table does not exist. Never lists
   * the whole ruleset (slow with many rules, and not ours).
   */
  String listTableJson(String family, String name);

  /** nft failed; the message is nft's. */
  final class NftException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NftException(String message) {
      super(message);
    }
  }

  /**
   * The {@code nft} binary, optionally inside a network namespace ({@code ip netns exec}).
   *
   * @param netns the namespace, or null for the current one
   */
  static NftCommand binary(String netns) {
    return new Binary(netns);
  }

  /** Runs the {@code nft} binary. */
  final class Binary implements NftCommand {
    private final String netns;

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
      try {
        Process p = new ProcessBuilder(cmd).start();
        try (OutputStream in = p.getOutputStream()) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), err));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new NftException("nft " + String.join(" ", args) + " timed out");
        }
        t.join();
        if (p.exitValue() != 0) {
          throw new NftException(err.toString(StandardCharsets.UTF_8).strip());
        }
        return out;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new NftException("interrupted");
      }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
      try {
        in.transferTo(out);
      } catch (IOException ignored) {
        // the process ended; what was read is the message
      }
    }
  }
}
