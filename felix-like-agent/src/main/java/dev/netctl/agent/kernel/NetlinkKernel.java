package dev.netctl.agent.kernel;

import dev.netctl.datastore.model.Cidr;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The real kernel with routes through rtnetlink ({@link NetlinkSocket}, {@link RouteMessages}):
 * hundreds of route messages per datagram and no process to start, where {@code ip -batch} sends
 * one message and waits for its answer per line. Links, addresses, VTEPs, sysctls and nftables go
 * to {@code other} (iproute2 and nft).
 *
 * <p>Every request but the last of a datagram goes without {@code NLM_F_ACK}: the kernel answers a
 * failing request with an error carrying its sequence number whatever the flag, and answers in
 * order, so the last request's ACK closes the datagram and every error before it names its route.
 * Each call opens its own socket (in the calling thread's network namespace), so calls may run at
 * once.
 */
public final class NetlinkKernel implements Kernel {

  /** Requests per datagram: their errors, should all fail, must fit the receive buffer. */
  private static final int MAX_PER_DATAGRAM = 256;

  private static final int SEND_BUFFER = 32 << 10;
  // A dump datagram is at most 32 KiB (the kernel's limit for a dump's skb); errors are small.
  private static final int RECEIVE_BUFFER = 64 << 10;
  private static final int ESRCH = 3;
  private static final int EAFNOSUPPORT = 97;
  private static final int DUMP_ATTEMPTS = 3;

  private final Kernel other;

  /**
   * @param other what handles everything but routes
   */
  public NetlinkKernel(Kernel other) {
    this.other = other;
  }

  /**
   * Routes through rtnetlink, the rest through iproute2 and nft. Linking the native calls costs the
   * first socket 50-250 ms (method handles and their stubs are generated then): that is done now on
   * a virtual thread, while the agent connects and lists, not in its first apply.
   */
  public NetlinkKernel() {
    this(new IpKernel());
    Thread.ofVirtual().name("netctl-netlink-warmup").start(NetlinkKernel::warmUp);
  }

  private static void warmUp() {
    try (NetlinkSocket s = new NetlinkSocket(SEND_BUFFER, RECEIVE_BUFFER)) {
      ByteBuffer b = s.requestBuffer();
      Route sample = Route.blackhole(Cidr.parse("192.0.2.0/24"));
      RouteMessages.putReplace(b, 1, sample, 0, false);
      RouteMessages.decode(b.flip(), i -> null);
      NetlinkSocket.ifindex("lo");
    } catch (RuntimeException e) {
      // The first real call meets the same problem and reports it.
    }
  }

  @Override
  public List<Route> ownedRoutes() {
    Map<Integer, String> names = new HashMap<>();
    List<Route> out = new ArrayList<>();
    try (NetlinkSocket s = new NetlinkSocket(SEND_BUFFER, RECEIVE_BUFFER)) {
      int seq = 0;
      for (int family : new int[] {RouteMessages.AF_INET, RouteMessages.AF_INET6}) {
        for (int attempt = 1; ; attempt++) {
          List<Route> routes = new ArrayList<>();
          boolean consistent = dump(s, ++seq, family, names, routes);
          if (consistent || attempt == DUMP_ATTEMPTS) {
            out.addAll(routes);
            break;
          }
        }
      }
    }
    return out;
  }

  /**
   * Reads one family's routes of ours into {@code out}.
   *
   * @return false when the tables changed during the dump (read again)
   */
  private static boolean dump(
      NetlinkSocket s, int seq, int family, Map<Integer, String> names, List<Route> out) {
    ByteBuffer b = s.requestBuffer();
    RouteMessages.putDump(b, seq, family);
    s.send(b.position());
    boolean consistent = true;
    while (true) {
      ByteBuffer d = s.receive();
      if (d == null) throw new KernelException("netlink route dump: receive buffer overrun");
      for (RouteMessages.Reply r :
          RouteMessages.decode(d, i -> names.computeIfAbsent(i, NetlinkSocket::ifname))) {
        if (r.seq() != seq) continue;
        switch (r) {
          case RouteMessages.Dumped route -> {
            consistent &= !route.interrupted();
            if (route.family() == family && route.owned()) out.add(route.route());
          }
          case RouteMessages.Done done -> {
            return consistent;
          }
          case RouteMessages.Ack ack -> {
            // A kernel without IPv6 has no IPv6 routes.
            if (ack.errno() == EAFNOSUPPORT && family == RouteMessages.AF_INET6) return true;
            if (ack.errno() != 0) {
              throw new KernelException(
                  "netlink route dump (family " + family + "): " + RouteMessages.describe(ack));
            }
          }
          case RouteMessages.Other o -> {}
        }
      }
    }
  }

  @Override
  public List<Failure> applyRoutes(List<Route> replace, List<Route> delete) {
    if (replace.isEmpty() && delete.isEmpty()) return List.of();
    List<Route> items = new ArrayList<>(delete.size() + replace.size());
    items.addAll(delete);
    items.addAll(replace);
    int deletes = delete.size();
    List<Failure> failures = new ArrayList<>();
    Map<String, Integer> ifindex = new HashMap<>();
    NetlinkSocket s = new NetlinkSocket(SEND_BUFFER, RECEIVE_BUFFER);
    try {
      int next = 0;
      while (next < items.size()) {
        ByteBuffer b = s.requestBuffer();
        int first = next;
        int lastSeq = 0;
        int lastAt = -1;
        boolean[] answered = new boolean[MAX_PER_DATAGRAM];
        while (next < items.size() && next - first < MAX_PER_DATAGRAM) {
          Route r = items.get(next);
          boolean del = next < deletes;
          int need = del ? RouteMessages.deleteLength(r) : RouteMessages.replaceLength(r);
          if (need > b.remaining()) break;
          int seq = next + 1; // the item's index + 1: seq 0 would be ambiguous
          next++;
          int at = b.position();
          if (del) {
            RouteMessages.putDelete(b, seq, r, false);
          } else {
            int index =
                r.dev() == null ? 0 : ifindex.computeIfAbsent(r.dev(), NetlinkSocket::ifindex);
            if (r.dev() != null && index == 0) {
              failures.add(new Failure(r, "Cannot find device \"" + r.dev() + "\""));
              answered[seq - 1 - first] = true;
              continue;
            }
            RouteMessages.putReplace(b, seq, r, index, false);
          }
          lastSeq = seq;
          lastAt = at;
        }
        if (lastAt < 0) continue; // every item of this datagram named a missing device
        int flagsAt = lastAt + 6;
        b.putShort(flagsAt, (short) (b.getShort(flagsAt) | RouteMessages.NLM_F_ACK));
        s.send(b.position());
        if (!collect(s, items, deletes, first, lastSeq, answered, failures)) {
          // Answers were dropped: which requests failed is unknown. Everything unanswered is
          // reported failed (the caller retries it; replace and delete are idempotent), and the
          // socket with its stale answers goes.
          for (int i = 0; i < next - first; i++) {
            if (!answered[i] && first + i < lastSeq) {
              failures.add(
                  new Failure(
                      items.get(first + i), "netlink answers lost (receive buffer overrun)"));
            }
          }
          s.close();
          s = new NetlinkSocket(SEND_BUFFER, RECEIVE_BUFFER);
        }
      }
    } finally {
      s.close();
    }
    return failures;
  }

  /**
   * Reads the answers to one datagram until the last request's ACK.
   *
   * @return false when the kernel dropped answers
   */
  private static boolean collect(
      NetlinkSocket s,
      List<Route> items,
      int deletes,
      int first,
      int lastSeq,
      boolean[] answered,
      List<Failure> failures) {
    while (true) {
      ByteBuffer d = s.receive();
      if (d == null) return false;
      for (RouteMessages.Reply r : RouteMessages.decode(d, i -> null)) {
        if (!(r instanceof RouteMessages.Ack ack) || ack.seq() <= first || ack.seq() > lastSeq) {
          continue;
        }
        int index = ack.seq() - 1;
        answered[index - first] = true;
        // Deleting a route that is gone (or is not ours: the kernel matches the protocol) leaves
        // the kernel as wanted.
        boolean gone = index < deletes && ack.errno() == ESRCH;
        if (ack.errno() != 0 && !gone) {
          failures.add(new Failure(items.get(index), RouteMessages.describe(ack)));
        }
        if (ack.seq() == lastSeq) return true;
      }
    }
  }

  @Override
  public List<Link> links() {
    return other.links();
  }

  @Override
  public void ensureVxlan(Vxlan spec) {
    other.ensureVxlan(spec);
  }

  @Override
  public boolean ensureIpip(String name, InetAddress local, int mtu) {
    return other.ensureIpip(name, local, mtu);
  }

  @Override
  public void deleteLink(String name) {
    other.deleteLink(name);
  }

  @Override
  public List<Neighbour> neighbours(String device) {
    return other.neighbours(device);
  }

  @Override
  public List<Failure> applyNeighbours(
      String device, List<Neighbour> replace, List<Neighbour> delete) {
    return other.applyNeighbours(device, replace, delete);
  }

  @Override
  public void sysctl(String key, String value) {
    other.sysctl(key, value);
  }

  @Override
  public AutoCloseable watchLinks(BiConsumer<String, Boolean> onChange) {
    return other.watchLinks(onChange);
  }

  @Override
  public void nft(String script) {
    other.nft(script);
  }

  @Override
  public void nftCheck(String script) {
    other.nftCheck(script);
  }

  @Override
  public String nftListTable(String family, String name) {
    return other.nftListTable(family, name);
  }
}
