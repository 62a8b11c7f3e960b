package dev.netctl.bench.policy;

import dev.netctl.agent.policy.Endpoint;
import dev.netctl.agent.policy.NftCommand;
import dev.netctl.agent.policy.PolicyManager;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Packet cost against the number of policies: a node netns with a client and a server pod (Calico
 * wiring), the server's ingress allowed by one policy, and 10 or 1,000 more policies in the table
 * (of {@link PolicyBench}'s shape, selecting other pods). Measures new TCP connections per second
 * from client to server and their median connect time (every SYN goes through the forward hook's
 * policy chains; established packets do not), interleaving the two table sizes. Deletes its
 * namespaces on exit, also on SIGTERM.
 *
 * <p>Run: {@code java -cp ... dev.netctl.bench.policy.PacketCostBench [connections] [rounds]} as
 * root.
 */
public final class PacketCostBench {
  static final String SERVER =
      """
      import socket
      s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
      s.bind(('0.0.0.0', 80)); s.listen(512)
      print('ready', flush=True)
      while True:
          c, _ = s.accept(); c.close()
      """;

  static final String CLIENT =
      """
      import socket, sys, time
      n = int(sys.argv[1]); t = time.perf_counter(); lat = []
      for i in range(n):
          c = time.perf_counter()
          s = socket.create_connection(('10.81.0.2', 80), timeout=2)
          lat.append(time.perf_counter() - c)
          s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00')
          s.close()
      lat.sort()
      # the median handshake: a SYN dropped by a full accept backlog under load costs a 1 s
      # retransmission, which swings the rate of a round but not the median
      print(n / (time.perf_counter() - t), lat[n // 2] * 1e6)
      """;

  /**
   * Client and server share one CPU: on two cores their placement (same core or not) made the
   * median handshake bimodal (13 or 21 µs) from round to round, whatever the ruleset.
   */
  static final String CPU = "0";

  public static void main(String[] args) throws Exception {
    int conns = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    String p = "polpkt" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    String node = p + "-node";
    List<String> created = new ArrayList<>();
    List<Process> started = new ArrayList<>();
    Runnable cleanup = cleanup(created, started);
    // a run stopped with SIGTERM (a time limit, ^C) never reaches finally: the hook deletes the
    // namespaces then, and finally does it on a normal end (whichever runs first does the work)
    Thread hook = new Thread(cleanup, "packet-cost-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      for (String ns : List.of(node, p + "-c", p + "-s")) {
        PolicyBench.sh("ip", "netns", "add", ns);
        created.add(ns);
      }
      PolicyBench.sh("ip", "-n", node, "link", "set", "lo", "up");
      PolicyBench.sh("ip", "netns", "exec", node, "sysctl", "-qw", "net.ipv4.ip_forward=1");
      PolicyBench.sh("ip", "-n", node, "link", "add", "uplink", "type", "bridge");
      PolicyBench.sh("ip", "-n", node, "link", "set", "uplink", "up");
      PolicyBench.sh("ip", "-n", node, "route", "add", "default", "dev", "uplink");
      int i = 1;
      for (String pod : List.of("c", "s")) {
        String ns = p + "-" + pod;
        String iface = "cali" + pod;
        String ip = "10.81.0." + i++;
        PolicyBench.sh(
            "ip", "-n", node, "link", "add", iface, "type", "veth", "peer", "name", "eth0", "netns",
            ns);
        PolicyBench.sh(
            "ip", "-n", node, "link", "set", iface, "address", "ee:ee:ee:ee:ee:ee", "up");
        PolicyBench.sh(
            "ip",
            "netns",
            "exec",
            node,
            "sysctl",
            "-qw",
            "net.ipv4.conf." + iface + ".proxy_arp=1");
        PolicyBench.sh(
            "ip",
            "netns",
            "exec",
            node,
            "sysctl",
            "-qw",
            "net.ipv4.neigh." + iface + ".proxy_delay=0");
        PolicyBench.sh("ip", "-n", node, "route", "add", ip + "/32", "dev", iface, "scope", "link");
        PolicyBench.sh("ip", "-n", ns, "link", "set", "lo", "up");
        PolicyBench.sh("ip", "-n", ns, "addr", "add", ip + "/32", "dev", "eth0");
        PolicyBench.sh("ip", "-n", ns, "link", "set", "eth0", "up");
        PolicyBench.sh(
            "ip", "-n", ns, "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
        PolicyBench.sh(
            "ip", "-n", ns, "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
      }
      Process server = python(p + "-s", SERVER).start();
      started.add(server);
      BufferedReader r =
          new BufferedReader(
              new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      if (!"ready".equals(r.readLine())) throw new IOException("server did not start");
      List<double[]> small = new ArrayList<>();
      List<double[]> large = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        for (int n : List.of(10, 1000)) {
          program(node, n);
          (n == 10 ? small : large).add(rate(p + "-c", conns));
        }
      }
      System.out.printf(
          "new TCP connections/s through the policy hook: 10 policies %s, 1000 policies %s%n",
          fmt(small, 0), fmt(large, 0));
      System.out.printf(
          "median connect (SYN to established) in µs: 10 policies %s, 1000 policies %s%n",
          fmt(small, 1), fmt(large, 1));
      System.out.printf(
          "ratio 1000 / 10 of the medians over rounds: rate %.2f, connect latency %.2f%n",
          median(large, 0) / median(small, 0), median(large, 1) / median(small, 1));
    } finally {
      cleanup.run();
      Runtime.getRuntime().removeShutdownHook(hook);
    }
  }

  /**
   * Stops the processes and deletes the namespaces, once (from the shutdown hook or the normal
   * end); a failed delete is reported, not silent.
   */
  static Runnable cleanup(List<String> namespaces, List<Process> processes) {
    AtomicBoolean done = new AtomicBoolean();
    return () -> {
      if (done.getAndSet(true)) return;
      for (Process pr : processes) {
        try {
          pr.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      for (String ns : namespaces.reversed()) {
        try {
          PolicyBench.sh("ip", "netns", "del", ns);
        } catch (Exception e) {
          System.err.println("could not delete netns " + ns + ": " + e.getMessage());
        }
      }
    };
  }

  /** A fresh table: the server's allow policy plus {@code extra} policies for other pods. */
  static void program(String node, int extra) throws Exception {
    PolicyBench.sh(
        "ip", "netns", "exec", node, "nft", "add table inet netctl; delete table inet netctl");
    PolicyManager m = new PolicyManager("node", "cali", NftCommand.binary(node));
    for (int n = 0; n < PolicyBench.NAMESPACES; n++)
      m.onNamespace("ns" + n, Map.of("team", "t" + n));
    // the measured pair: "server" in ns0 with app=app0 is selected by the allow policy p0 (its
    // port 1000 rules do not match port 80), so also add an allow-80 policy for it
    m.onEndpointUpdate(
        "c",
        new Endpoint(
            "ns0",
            "client",
            Map.of("role", "r0"),
            List.of(InetAddress.getByName("10.81.0.1")),
            "calic",
            "node",
            List.of()));
    m.onEndpointUpdate(
        "s",
        new Endpoint(
            "ns0",
            "server",
            Map.of("app", "server"),
            List.of(InetAddress.getByName("10.81.0.2")),
            "calis",
            "node",
            List.of()));
    m.onUpdate(
        dev.netctl.datastore.model.ResourceCodec.class
            .getDeclaredConstructor()
            .newInstance()
            .readOne(
                """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: server, namespace: ns0}
            spec:
              podSelector: {matchLabels: {app: server}}
              ingress:
              - from: [{podSelector: {matchLabels: {role: r0}}}]
                ports: [{port: 80}]
            """));
    for (int k = 0; k < 1000; k++) m.onEndpointUpdate("e" + k, PolicyBench.endpoint(k, false));
    for (int i = 0; i < extra; i++) m.onUpdate(PolicyBench.policy(i, 1000));
    m.apply();
  }

  /** A python script in netns {@code ns}, on {@link #CPU}. */
  static ProcessBuilder python(String ns, String script, String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of("taskset", "-c", CPU, "ip", "netns", "exec", ns, "/usr/bin/python3", "-c"));
    cmd.add(script);
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd);
  }

  /** Connections per second and the median connect time in µs of one round. */
  static double[] rate(String ns, int conns) throws Exception {
    Process c = python(ns, CLIENT, Integer.toString(conns)).redirectErrorStream(true).start();
    String out = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!c.waitFor(120, TimeUnit.SECONDS) || c.exitValue() != 0)
      throw new IOException("client: " + out);
    String[] f = out.split(" ");
    return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1])};
  }

  static String fmt(List<double[]> v, int i) {
    return v.stream().map(d -> String.format("%.0f", d[i])).toList().toString();
  }

  static double median(List<double[]> v, int i) {
    double[] x = v.stream().mapToDouble(d -> d[i]).sorted().toArray();
    return x[x.length / 2];
  }

  private PacketCostBench() {}
}
