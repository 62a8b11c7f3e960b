package dev.netctl.agent.policy;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netctl.agent.exec.Exec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Two node network namespaces joined by a veth (plain routing), with pods wired as Calico wires
 * them (REFERENCE §3): each pod a netns with {@code eth0} /32, a link-scoped 169.254.1.1 gateway
 * and default route; the host side a {@code cali*} veth with proxy ARP and a /32 route. Every pod
 * runs a TCP and UDP server on the given ports and a prober that answers "can I reach
 * ip:port/proto" (or pings). Dual stack: pods also get an IPv6 /128 with the host side's link-local
 * address as their gateway (Calico's IPv6 plumbing), nodes an IPv6 link and routes. Names carry a
 * random prefix; {@link #close()} removes everything.
 */
final class PodNetwork implements AutoCloseable {

  static final String SERVER =
      """
      import socket, sys, threading
      # one dual-stack socket per port: IPv4 arrives as mapped addresses
      def sock(kind, p):
          s = socket.socket(socket.AF_INET6, kind)
          s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
          s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
          s.bind(('::', p)); return s
      def tcp(p):
          s = sock(socket.SOCK_STREAM, p); s.listen(128)
          while True:
              c, _ = s.accept(); c.close()
      def udp(p):
          s = sock(socket.SOCK_DGRAM, p)
          while True:
              d, a = s.recvfrom(64); s.sendto(d, a)
      for p in map(int, sys.argv[1:]):
          threading.Thread(target=tcp, args=(p,), daemon=True).start()
          threading.Thread(target=udp, args=(p,), daemon=True).start()
      print('ready', flush=True)
      sys.stdin.read()
      """;

  static final String PROBER =
      """
      import socket, subprocess, sys, threading
      T = float(sys.argv[1])
      def probe(i, ip, port, proto, sport, out):
          ok = 0
          try:
              if proto.startswith('ICMP'):
                  # an echo request (the only type ping sends; the caller checks the type asked)
                  fam = '-6' if ':' in ip else '-4'
                  ok = int(subprocess.run(['ping', fam, '-n', '-q', '-c1', '-W' + str(T), ip],
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0)
              elif proto == 'TCP':
                  s = socket.create_connection((ip, port), timeout=T); s.close(); ok = 1
              else:
                  # a source port never used before: an earlier allowed probe's conntrack entry
                  # would otherwise let a reply through after the policy changed
                  v6 = ':' in ip
                  s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
                  s.settimeout(T); s.bind(('::' if v6 else '0.0.0.0', sport))
                  s.sendto(b'x', (ip, port)); s.recvfrom(64); s.close(); ok = 1
          except Exception:
              pass
          out[i] = ok
      for line in sys.stdin:
          items = [x.split(',') for x in line.split()]
          out = [0] * len(items)
          ts = [threading.Thread(target=probe, args=(i, a, int(b), c, int(d), out)) for i, (a, b, c, d) in enumerate(items)]
          for t in ts: t.start()
          for t in ts: t.join()
          print(''.join(map(str, out)), flush=True)
      """;

  /** Three letters of the test's own plus a random suffix; interfaces carry the suffix. */
  final String prefix;

  final String node;

  /** The second node: pods named {@code c} live there, the others on {@link #node}. */
  final String node2;

  final Map<String, Pod> pods = new LinkedHashMap<>();
  private final List<Process> processes = new ArrayList<>();
  private final List<String> namespaces = new ArrayList<>();
  private final Thread cleanup = new Thread(this::deleteEverything, "pod-network-cleanup");
  private boolean cleaned;
  private int rounds;

  record Pod(
      String ns,
      String name,
      String node,
      String netns,
      String iface,
      InetAddress ip,
      InetAddress ip6,
      Process prober,
      BufferedReader out,
      Writer in) {
    String id() {
      return ns + "/" + name;
    }
  }

  /** Skips (or fails under CI=true) when not root or a tool is missing. */
  static void assumeAvailable() {
    boolean ok =
        Files.isExecutable(Path.of("/usr/sbin/nft")) || Files.isExecutable(Path.of("/sbin/nft"));
    ok &= "root".equals(System.getProperty("user.name"));
    ok &= Files.isExecutable(Path.of("/usr/bin/python3"));
    if (!ok && "true".equals(System.getenv("CI")))
      fail("needs root, nft and /usr/bin/python3 in CI");
    assumeTrue(ok, "needs root, nft and /usr/bin/python3");
  }

  PodNetwork(List<String> namespaceNames, List<String> podNames, List<Integer> ports)
      throws Exception {
    this("pol", namespaceNames, podNames, ports);
  }

  /**
   * @param owner three letters naming the test, so parallel tests' namespaces never collide
   */
  PodNetwork(String owner, List<String> namespaceNames, List<String> podNames, List<Integer> ports)
      throws Exception {
    if (owner.length() != 3) throw new IllegalArgumentException("owner must be 3 letters");
    prefix = owner + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    node = prefix + "-node";
    node2 = prefix + "-node2";
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      // two nodes joined by a veth, each routing the other's pods through it (no encapsulation;
      // the default route also gives proxy ARP the other interface it needs for 169.254.1.1)
      netns(node);
      netns(node2);
      sh(
          "ip", "-n", node, "link", "add", "peer0", "type", "veth", "peer", "name", "peer0",
          "netns", node2);
      int side = 1;
      for (String n : List.of(node, node2)) {
        sh("ip", "-n", n, "link", "set", "lo", "up");
        sh("ip", "netns", "exec", n, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        sh("ip", "netns", "exec", n, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
        sh("ip", "-n", n, "addr", "add", "192.168.77." + side + "/30", "dev", "peer0");
        sh("ip", "-n", n, "addr", "add", "fd77:ff::" + side + "/126", "dev", "peer0", "nodad");
        sh("ip", "-n", n, "link", "set", "peer0", "up");
        sh("ip", "-n", n, "route", "add", "default", "via", "192.168.77." + (3 - side));
        sh("ip", "-n", n, "-6", "route", "add", "default", "via", "fd77:ff::" + (3 - side));
        side++;
      }
      int n = 2;
      for (String ns : namespaceNames) {
        for (String pod : podNames) {
          String netns = prefix + "-" + ns + "-" + pod;
          String iface = "cali" + prefix.substring(3) + ns + pod;
          String ip6 = "fd77::" + n;
          String ip = "10.77.0." + n++;
          String host = pod.equals("c") ? node2 : node;
          netns(netns);
          // no duplicate address detection: the link-local gateway must be usable at once
          sh("ip", "netns", "exec", netns, "sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0");
          sh("ip", "netns", "exec", host, "sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0");
          sh(
              "ip", "-n", host, "link", "add", iface, "type", "veth", "peer", "name", "eth0",
              "netns", netns);
          sh("ip", "-n", host, "link", "set", iface, "address", "ee:ee:ee:ee:ee:ee", "up");
          sh(
              "ip",
              "netns",
              "exec",
              host,
              "sysctl",
              "-qw",
              "net.ipv4.conf." + iface + ".proxy_arp=1");
          sh(
              "ip",
              "netns",
              "exec",
              host,
              "sysctl",
              "-qw",
              "net.ipv4.neigh." + iface + ".proxy_delay=0");
          sh("ip", "-n", host, "route", "add", ip + "/32", "dev", iface, "scope", "link");
          sh("ip", "-n", host, "-6", "route", "add", ip6 + "/128", "dev", iface);
          sh("ip", "-n", netns, "link", "set", "lo", "up");
          sh("ip", "-n", netns, "addr", "add", ip + "/32", "dev", "eth0");
          sh("ip", "-n", netns, "link", "set", "eth0", "up");
          sh("ip", "-n", netns, "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
          sh("ip", "-n", netns, "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
          sh("ip", "-n", netns, "addr", "add", ip6 + "/128", "dev", "eth0", "nodad");
          // the host side's link-local address, from its MAC ee:ee:ee:ee:ee:ee
          sh(
              "ip",
              "-n",
              netns,
              "-6",
              "route",
              "add",
              "default",
              "via",
              "fe80::ecee:eeff:feee:eeee",
              "dev",
              "eth0");
          List<String> server =
              new ArrayList<>(
                  List.of("ip", "netns", "exec", netns, "/usr/bin/python3", "-c", SERVER));
          for (int p : ports) server.add(Integer.toString(p));
          Process s = start(server);
          BufferedReader sr =
              new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
          if (!"ready".equals(sr.readLine()))
            throw new IOException("server in " + netns + " did not start");
          Process p =
              start(List.of("ip", "netns", "exec", netns, "/usr/bin/python3", "-c", PROBER, "0.6"));
          pods.put(
              ns + "/" + pod,
              new Pod(
                  ns,
                  pod,
                  host,
                  netns,
                  iface,
                  InetAddress.getByName(ip),
                  InetAddress.getByName(ip6),
                  p,
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)),
                  new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)));
        }
      }
      // the nodes' link-local addresses on peer0 went through duplicate address detection (~1 s);
      // until it ends neighbour discovery between the nodes waits, and a first IPv6 probe across
      // them times out
      for (String each : List.of(node, node2)) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!sh("ip", "-n", each, "-6", "addr", "show", "dev", "peer0", "tentative").isBlank()) {
          if (System.nanoTime() > deadline) throw new IOException(each + ": peer0 stays tentative");
          Thread.sleep(50);
        }
      }
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  /**
   * Probes every target from every source at once; true = reachable. Keys "from->to port". A port
   * {@code 8/ICMP} or {@code 128/ICMPv6} is an echo request ({@code ping}).
   */
  Map<String, Boolean> probe(List<String> portProtos) throws IOException {
    return probe(portProtos, false);
  }

  /** {@link #probe(List)} over IPv6 ({@code ipv6}) or IPv4. */
  Map<String, Boolean> probe(List<String> portProtos, boolean ipv6) throws IOException {
    Map<Pod, List<String>> keys = new HashMap<>();
    int round = rounds++;
    if (round * 64 > 30000) throw new IllegalStateException("out of fresh UDP source ports");
    for (Pod src : pods.values()) {
      StringBuilder line = new StringBuilder();
      List<String> k = new ArrayList<>();
      for (Pod dst : pods.values()) {
        if (dst == src) continue;
        for (String pp : portProtos) {
          String[] x = pp.split("/");
          if (x[1].startsWith("ICMP") && !pp.equals("8/ICMP") && !pp.equals("128/ICMPv6")) {
            throw new IllegalArgumentException(pp + ": ping sends echo requests only");
          }
          int sport = 20000 + round * 64 + k.size();
          InetAddress to = ipv6 ? dst.ip6() : dst.ip();
          line.append(to.getHostAddress()).append(',').append(x[0]).append(',').append(x[1]);
          line.append(',').append(sport).append(' ');
          k.add(src.id() + "->" + dst.id() + " " + pp);
        }
      }
      src.in().write(line.append('\n').toString());
      src.in().flush();
      keys.put(src, k);
    }
    Map<String, Boolean> out = new LinkedHashMap<>();
    for (Pod src : pods.values()) {
      String res = src.out().readLine();
      if (res == null) throw new IOException("prober of " + src.id() + " died");
      List<String> k = keys.get(src);
      for (int i = 0; i < k.size(); i++) out.put(k.get(i), res.charAt(i) == '1');
    }
    return out;
  }

  /**
   * Forgets every IPv6 neighbour in the pods and on the nodes, so the next traffic has to resolve
   * its neighbours again (under whatever policy is in force).
   */
  void flushIpv6Neighbours() throws Exception {
    for (String n : namespaces) sh("ip", "-n", n, "-6", "neigh", "flush", "all");
  }

  /**
   * The source port the first UDP probe of the next {@link #probeFrom} round will use; the i-th
   * target of that round uses this plus i.
   */
  int nextSourcePort() {
    return 20000 + rounds * 64;
  }

  /**
   * Probes from one pod to any addresses ({@code ip,port,proto}: TCP, UDP or ICMP); true =
   * reachable. Each UDP probe gets a source port never used before, as in {@link #probe}.
   */
  List<Boolean> probeFrom(String podId, List<String> targets) throws IOException {
    Pod src = pods.get(podId);
    int round = rounds++;
    if (round * 64 > 30000) throw new IllegalStateException("out of fresh UDP source ports");
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < targets.size(); i++) {
      line.append(targets.get(i)).append(',').append(20000 + round * 64 + i).append(' ');
    }
    src.in().write(line.append('\n').toString());
    src.in().flush();
    String res = src.out().readLine();
    if (res == null) throw new IOException("prober of " + podId + " died");
    List<Boolean> out = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) out.add(res.charAt(i) == '1');
    return out;
  }

  /**
   * Starts a process (usually {@code ip netns exec ... python3 -c ...}) that {@link #close()}
   * stops; its stderr is discarded.
   */
  Process start(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    processes.add(p);
    return p;
  }

  private void netns(String name) throws Exception {
    sh("ip", "netns", "add", name);
    namespaces.add(name);
  }

  static String sh(String... cmd) throws IOException, InterruptedException {
    Exec.Result r = Exec.run(Duration.ofSeconds(20), List.of(cmd));
    if (!r.completed()) throw new IOException(r.abort());
    if (!r.ok()) throw new IOException(String.join(" ", cmd) + ": " + r.stdout() + r.stderr());
    return r.stdout();
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // the JVM is exiting: the hook is running this very cleanup
    }
    deleteEverything();
  }

  /**
   * Stops the probers and deletes the namespaces, once. Also a shutdown hook: a run killed by its
   * time limit (SIGTERM) never reaches {@code @AfterAll}, and would leave its namespaces behind.
   */
  private synchronized void deleteEverything() {
    if (cleaned) return;
    cleaned = true;
    for (Process p : processes) p.destroyForcibly();
    for (Process p : processes) {
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (String ns : namespaces.reversed()) {
      try {
        sh("ip", "netns", "del", ns);
      } catch (Exception ignored) {
        // best effort: the next one may still go
      }
    }
  }
}
