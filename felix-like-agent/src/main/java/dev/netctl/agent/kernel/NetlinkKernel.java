package dev.netctl.agent.kernel;

import dev.netctl.datastore.model.Cidr;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;

/**
 * The real kernel with routes and VTEPs (neighbour and FDB entries) through rtnetlink ({@link
 * NetlinkSocket}, {@link RouteMessages}, {@link NeighbourMessages}): hundreds of messages per
 * datagram and no process to start, where {@code ip -batch} sends one message and waits for its
 * answer per line. Links, addresses, sysctls and nftables go to {@code other} (iproute2 and nft).
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
  private static final int ENODEV = 19;
  private static final int EAFNOSUPPORT = 97;
  private static final int DUMP_ATTEMPTS = 3;

  private final Kernel other;
  private final int kernelReceiveBuffer;

  /**
   * @param other what handles everything but routes and VTEPs (links, addresses, sysctls, nft)
   */
  public NetlinkKernel(Kernel other) {
    this(other, NetlinkSocket.KERNEL_RECEIVE_BUFFER);
  }

  /** With the sockets' kernel receive buffer set: tests make answers overflow it. */
  NetlinkKernel(Kernel other, int kernelReceiveBuffer) {
    this.other = other;
    this.kernelReceiveBuffer = kernelReceiveBuffer;
  }

  /**
   * Routes through rtnetlink, the rest through iproute2 and nft. Linking the native calls costs the
   * first socket 50-400 ms (method handles and their stubs are generated then): that is done now on
   * a virtual thread, while the agent connects and lists, not in its first apply.
   */
  public NetlinkKernel() {
    this(new IpKernel());
    Thread.ofVirtual().name("netctl-netlink-warmup").start(NetlinkKernel::warmUp);
  }

  private static void warmUp() {
    try (NetlinkSocket s =
        new NetlinkSocket(SEND_BUFFER, RECEIVE_BUFFER, NetlinkSocket.KERNEL_RECEIVE_BUFFER)) {
      // Encoding and decoding a few thousand routes here gets them compiled before the first
      // apply needs them (the launcher's JIT compiles a method after a few hundred calls).
      Route sample =
          Route.via(Cidr.parse("192.0.2.0/26"), Cidr.parseAddress("192.0.2.1"), "lo", true);
      for (int round = 0; round < 8; round++) {
        ByteBuffer b = s.requestBuffer();
        for (int i = 0; i < MAX_PER_DATAGRAM; i++) {
          if (RouteMessages.replaceLength(sample) > b.remaining()) break;
          RouteMessages.putReplace(b, i + 1, sample, 1, false);
        }
        RouteMessages.decode(b.flip(), i -> "lo");
      }
      NetlinkSocket.ifindex("lo");
    } catch (RuntimeException e) {
      // The first real call meets the same problem and reports it.
    }
  }

  @Override
  public List<Route> ownedRoutes() {
    Map<Integer, String> names = new HashMap<>();
    List<Route> out = new ArrayList<>();
    try (NetlinkSocket s = open()) {
      for (int family : new int[] {RouteMessages.AF_INET, RouteMessages.AF_INET6}) {
        out.addAll(
            dumpConsistent(
                s,
                "route dump",
                (b, seq) -> RouteMessages.putDump(b, seq, family),
                i -> names.computeIfAbsent(i, NetlinkSocket::ifname),
                (r, routes) -> {
                  if (r instanceof RouteMessages.Dumped d && d.family() == family && d.owned()) {
                    routes.add(d.route());
                  }
                }));
      }
    }
    return out;
  }

  @Override
  public List<Neighbour> neighbours(String device) {
    int index = NetlinkSocket.ifindex(device);
    if (index == 0) return List.of(); // no device yet: no neighbours
    Map<String, InetAddress> fdb = new HashMap<>();
    List<Neighbour> out = new ArrayList<>();
    try (NetlinkSocket s = open()) {
      for (RouteMessages.Neigh n :
          NetlinkKernel.<RouteMessages.Neigh>dumpConsistent(
              s,
              "FDB dump of " + device,
              (b, seq) -> NeighbourMessages.putDump(b, seq, NeighbourMessages.AF_BRIDGE, index),
              i -> null,
              (r, entries) -> {
                if (r instanceof RouteMessages.Neigh n
                    && n.family() == NeighbourMessages.AF_BRIDGE
                    && n.ifindex() == index
                    && n.mac() != null
                    && n.dst() != null) {
                  entries.add(n);
                }
              })) {
        fdb.put(n.mac(), n.dst());
      }
      for (int family : new int[] {RouteMessages.AF_INET, RouteMessages.AF_INET6}) {
        for (RouteMessages.Neigh n :
            NetlinkKernel.<RouteMessages.Neigh>dumpConsistent(
                s,
                "neighbour dump of " + device,
                (b, seq) -> NeighbourMessages.putDump(b, seq, family, index),
                i -> null,
                (r, entries) -> {
                  if (r instanceof RouteMessages.Neigh n
                      && n.family() == family
                      && n.ifindex() == index
                      && (n.state() & NeighbourMessages.NUD_PERMANENT) != 0
                      && n.mac() != null
                      && n.dst() != null) {
                    entries.add(n);
                  }
                })) {
          out.add(new Neighbour(n.dst(), n.mac(), fdb.get(n.mac())));
        }
      }
    }
    return out;
  }

  /** Writes a request at a sequence number. */
  @FunctionalInterface
  private interface Writer {
    void write(ByteBuffer b, int seq);
  }

  /** Collects the replies of a dump that are wanted. */
  @FunctionalInterface
  private interface Collector<T> {
    void accept(RouteMessages.Reply reply, List<T> into);
  }

  /** A dump, read again (a bounded number of times) while the kernel says it was interrupted. */
  private static <T> List<T> dumpConsistent(
      NetlinkSocket s,
      String what,
      Writer request,
      IntFunction<String> ifname,
      Collector<T> collector) {
    for (int attempt = 1; ; attempt++) {
      List<T> out = new ArrayList<>();
      if (dump(s, what, request, ifname, collector, out) || attempt == DUMP_ATTEMPTS) return out;
    }
  }

  /**
   * One dump.
   *
   * @return false when the tables changed during the dump (read again)
   */
  private static <T> boolean dump(
      NetlinkSocket s,
      String what,
      Writer request,
      IntFunction<String> ifname,
      Collector<T> collector,
      List<T> out) {
    int seq = s.nextSeq();
    ByteBuffer b = s.requestBuffer();
    request.write(b, seq);
    s.send(b.position());
    boolean consistent = true;
    while (true) {
      ByteBuffer d = s.receive();
      if (d == null) throw new KernelException("netlink " + what + ": receive buffer overrun");
      for (RouteMessages.Reply r : RouteMessages.decode(d, ifname)) {
        if (r.seq() != seq) continue;
        consistent &= !r.interrupted();
        switch (r) {
          case RouteMessages.Done done -> {
            return consistent;
          }
          case RouteMessages.Ack ack -> {
            // A kernel without IPv6 has nothing of that family.
            if (ack.errno() == EAFNOSUPPORT) return true;
            if (ack.errno() != 0) {
              throw new KernelException("netlink " + what + ": " + RouteMessages.describe(ack));
            }
          }
          default -> collector.accept(r, out);
        }
      }
    }
  }

  @Override
  public List<Failure> applyRoutes(List<Route> replace, List<Route> delete) {
    if (replace.isEmpty() && delete.isEmpty()) return List.of();
    List<Failure> failures = new ArrayList<>();
    List<Request> requests = new ArrayList<>(delete.size() + replace.size());
    for (Route r : delete) {
      // Deleting a route that is gone (or is not ours: the kernel matches the protocol) leaves
      // the kernel as wanted.
      requests.add(
          new Request(
              r,
              RouteMessages.deleteLength(r),
              (b, seq) -> RouteMessages.putDelete(b, seq, r, false),
              ESRCH));
    }
    Map<String, Integer> ifindex = new HashMap<>();
    for (Route r : replace) {
      int index = r.dev() == null ? 0 : ifindex.computeIfAbsent(r.dev(), NetlinkSocket::ifindex);
      if (r.dev() != null && index == 0) {
        failures.add(new Failure(r, "Cannot find device \"" + r.dev() + "\"", true));
        continue;
      }
      requests.add(
          new Request(
              r,
              RouteMessages.replaceLength(r),
              (b, seq) -> RouteMessages.putReplace(b, seq, r, index, false),
              0));
    }
    transact(requests, failures);
    return failures;
  }

  @Override
  public List<Failure> applyNeighbours(
      String device, List<Neighbour> replace, List<Neighbour> delete, Set<String> keepFdb) {
    if (replace.isEmpty() && delete.isEmpty()) return List.of();
    List<Failure> failures = new ArrayList<>();
    int index = NetlinkSocket.ifindex(device);
    if (index == 0) {
      for (Neighbour n : replace)
        failures.add(new Failure(n, "Cannot find device \"" + device + "\"", true));
      return failures;
    }
    int len = NeighbourMessages.MAX_LENGTH;
    List<Request> requests = new ArrayList<>(2 * (delete.size() + replace.size()));
    // Deleting an entry that is already gone is not a failure worth retrying.
    for (Neighbour n : delete) {
      if (!keepFdb.contains(n.fdbKey())) {
        requests.add(
            new Request(
                n, len, (b, seq) -> NeighbourMessages.putFdbDelete(b, seq, index, n.mac()), ANY));
      }
      requests.add(
          new Request(
              n,
              len,
              (b, seq) -> NeighbourMessages.putNeighbourDelete(b, seq, index, n.tunnelAddress()),
              ANY));
    }
    for (Neighbour n : replace) {
      if (!validMac(n.mac()) || n.underlay() == null) {
        failures.add(new Failure(n, "\"" + n.mac() + "\" is not a MAC address or has no underlay"));
        continue;
      }
      // The FDB entry first: a neighbour whose MAC has no destination would send nowhere.
      requests.add(
          new Request(
              n,
              len,
              (b, seq) -> NeighbourMessages.putFdbReplace(b, seq, index, n.mac(), n.underlay()),
              0));
      requests.add(
          new Request(
              n,
              len,
              (b, seq) ->
                  NeighbourMessages.putNeighbourReplace(b, seq, index, n.tunnelAddress(), n.mac()),
              0));
    }
    transact(requests, failures);
    return failures;
  }

  private static boolean validMac(String mac) {
    try {
      NeighbourMessages.mac(mac);
      return true;
    } catch (IllegalArgumentException | NullPointerException e) {
      return false;
    }
  }

  /** An errno that means the kernel is as wanted anyway: every errno. */
  private static final int ANY = -1;

  /**
   * One request of a batch.
   *
   * @param item what a failure names
   * @param length at most the bytes {@code writer} writes
   * @param harmless an errno that leaves the kernel as wanted (0: none, {@link #ANY}: every one)
   */
  private record Request(Object item, int length, Writer writer, int harmless) {}

  /**
   * Sends the requests, as many per datagram as fit, and adds a failure for each the kernel
   * refused, named by its sequence number.
   */
  private void transact(List<Request> requests, List<Failure> failures) {
    if (requests.isEmpty()) return;
    NetlinkSocket s = open();
    try {
      int next = 0;
      while (next < requests.size()) {
        ByteBuffer b = s.requestBuffer();
        int first = next;
        int seqBase = s.nextSeq() - first; // seq of requests.get(i) is seqBase + i
        int lastAt = 0;
        while (next < requests.size()
            && next - first < MAX_PER_DATAGRAM
            && requests.get(next).length() <= b.remaining()) {
          lastAt = b.position();
          requests.get(next).writer().write(b, seqBase + next);
          next++;
        }
        if (next == first) {
          throw new KernelException(
              "netlink request of "
                  + requests.get(next).length()
                  + " bytes does not fit a datagram");
        }
        s.skipSeq(next - first - 1);
        int flagsAt = lastAt + 6;
        b.putShort(flagsAt, (short) (b.getShort(flagsAt) | RouteMessages.NLM_F_ACK));
        s.send(b.position());
        boolean[] answered = new boolean[next - first];
        if (!collect(s, requests, seqBase, first, next, answered, failures)) {
          // Answers were dropped: which requests failed is unknown. Everything unanswered is
          // reported failed (the caller retries it; replace and delete are idempotent), and the
          // socket with its stale answers goes.
          for (int i = 0; i < answered.length; i++) {
            if (!answered[i]) {
              failures.add(
                  new Failure(
                      requests.get(first + i).item(),
                      "netlink answers lost (receive buffer overrun)"));
            }
          }
          s.close();
          s = open();
        }
      }
    } finally {
      s.close();
    }
  }

  /**
   * Reads the answers to requests {@code [first, end)} until the last one's ACK.
   *
   * @return false when the kernel dropped answers
   */
  private static boolean collect(
      NetlinkSocket s,
      List<Request> requests,
      int seqBase,
      int first,
      int end,
      boolean[] answered,
      List<Failure> failures) {
    while (true) {
      ByteBuffer d = s.receive();
      if (d == null) return false;
      for (RouteMessages.Reply r : RouteMessages.decode(d, i -> null)) {
        if (!(r instanceof RouteMessages.Ack ack)) continue;
        int index = ack.seq() - seqBase;
        if (index < first || index >= end) continue;
        answered[index - first] = true;
        Request q = requests.get(index);
        if (ack.errno() != 0 && q.harmless() != ANY && ack.errno() != q.harmless()) {
          // ENODEV: the device went between its index lookup and the request.
          failures.add(new Failure(q.item(), RouteMessages.describe(ack), ack.errno() == ENODEV));
        }
        if (index == end - 1) return true;
      }
    }
  }

  private NetlinkSocket open() {
    return new NetlinkSocket(SEND_BUFFER, RECEIVE_BUFFER, kernelReceiveBuffer);
  }

  @Override
  public List<Link> links() {
    return other.links();
  }

  @Override
  public void ensureVxlan(Vxlan spec) {
    // A first start has no device: one interface-index lookup saves starting a process to read it.
    if (other instanceof IpKernel ip && NetlinkSocket.ifindex(spec.name()) == 0) {
      ip.ensureVxlan(spec, false);
    } else {
      other.ensureVxlan(spec);
    }
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
  public void sysctl(String key, String value) {
    other.sysctl(key, value);
  }

  @Override
  public InetAddress gatewayTo(InetAddress target) {
    return other.gatewayTo(target);
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
