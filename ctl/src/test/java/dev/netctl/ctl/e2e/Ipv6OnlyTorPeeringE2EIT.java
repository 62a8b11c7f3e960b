package dev.netctl.ctl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.ipam.allocator.AssignRequest;
import dev.netctl.ipam.allocator.IpamAllocator;
import dev.netctl.ipam.allocator.ResourceEnvironment;
import dev.netctl.ipam.store.IpamStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Top-of-rack routers peering with IPv6-only nodes: Debian's BIRD 2 ({@code /usr/sbin/bird}, real
 * daemons) in their own namespaces on an IPv6-only underlay bridge with two nodes running {@code
 * java -jar netctl.jar node run --ip none}. No IPv4 address anywhere but the loopbacks, no link
 * into the root namespace.
 *
 * <pre>
 *   {P}ul:   bridge br0
 *   {P}n1:   fd97::1/64     {P}n2: fd97::2/64     node agents, AS 64512, mesh on
 *   {P}tor:  fd97::fe/64    BIRD, AS 65001, a global BGPPeer (every node), originates fd98:1::/64
 *   {P}tor2: fd97::fd/64    BIRD, AS 65001, a BGPPeer of node n1 only, originates fd98:2::/64
 * </pre>
 *
 * The routers must learn each node's IPv6 blocks with that node's global address as next hop, and
 * the prefixes they originate must land in the nodes' kernel routing tables through the router's
 * address. Two daemons, not one with two addresses: BIRD runs one session per neighbour address
 * (its lock on the remote address and port), so it cannot hold n1's global and node sessions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class Ipv6OnlyTorPeeringE2EIT {

  private static final List<String> NODES = List.of("n1", "n2");
  private static final Map<String, String> NODE_IP = Map.of("n1", "fd97::1", "n2", "fd97::2");
  private static final String TOR = "fd97::fe";
  private static final String TOR_N1 = "fd97::fd";
  private static final long TOR_AS = 65001;

  private final String p =
      "tr" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
  private Ipv6Underlay underlay;
  private final Map<String, Process> agents = new LinkedHashMap<>();
  private final Thread cleanup = new Thread(this::tearDown, "tor-peering-cleanup");
  private Path dir;
  private Path jar;
  private String java;
  private Path storeFile;
  private Datastore store;
  private final Map<String, Process> birds = new LinkedHashMap<>();

  @BeforeAll
  void lab() throws Exception {
    Sh.requireRootAndTools("ip", "nft", "bird", "birdc");
    dir = Files.createTempDirectory("netctl-v6tor-");
    jar = Path.of("target/netctl.jar").toAbsolutePath();
    java = ProcessHandle.current().info().command().orElse("java");
    Runtime.getRuntime().addShutdownHook(cleanup);
    underlay = new Ipv6Underlay(p);
    for (String n : NODES) underlay.attach(n, NODE_IP.get(n));
    underlay.attach("tor", TOR);
    underlay.attach("tor2", TOR_N1);
    startBird("tor", TOR, "fd98:1::/64", NODES);
    startBird("tor2", TOR_N1, "fd98:2::/64", List.of("n1"));
  }

  @AfterAll
  void removeLab() {
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // the JVM is exiting: the hook runs this very cleanup
    }
    tearDown();
  }

  @Test
  void torLearnsEachNodesIpv6BlocksAndItsPrefixesReachTheNodesKernels() throws Exception {
    storeFile = dir.resolve("store.db");
    store = Datastores.open("embedded:" + storeFile, null);
    ResourceClient c = new ResourceClient(store);
    ResourceCodec codec = new ResourceCodec();
    for (String yaml :
        List.of(
            """
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata: {name: pool6}
            spec: {cidr: "fd99::/64", vxlanMode: Never, natOutgoing: true}
            """,
            // The ToR of every node, as Calico documents for a rack.
            """
            apiVersion: projectcalico.org/v3
            kind: BGPPeer
            metadata: {name: tor}
            spec: {peerIP: "%s", asNumber: %d}
            """
                .formatted(TOR, TOR_AS),
            // A second router, for n1 alone.
            """
            apiVersion: projectcalico.org/v3
            kind: BGPPeer
            metadata: {name: tor-n1}
            spec: {node: n1, peerIP: "%s", asNumber: %d}
            """
                .formatted(TOR_N1, TOR_AS))) {
      c.create(codec.readOne(yaml));
    }
    startAgents();
    // A block per node, claimed as a pod's address would claim it: the agents originate them.
    IpamAllocator ipam = new IpamAllocator(store, new ResourceEnvironment(c));
    for (String n : NODES) {
      ipam.autoAssign(new AssignRequest(n, p + "h-" + n, 0, 1, null, null, null, List.of()));
    }
    Map<String, String> blocks = new LinkedHashMap<>();
    for (var b : new IpamStore(store).blocks()) {
      blocks.put(b.value().affinityNode(), b.value().cidr());
    }
    assertThat(blocks).containsOnlyKeys(NODES);

    // Sessions up on both sides, over IPv6.
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              for (String[] session :
                  new String[][] {{"tor", "n1"}, {"tor", "n2"}, {"tor2", "n1"}}) {
                String s = birdc(session[0], "show", "protocols", "all", session[1]);
                assertThat(s)
                    .as(() -> session[0] + "\n" + s + diagnostics())
                    .contains("BGP state:          Established");
              }
            });
    String n1Protocol = birdc("tor", "show", "protocols", "all", "n1");
    assertThat(n1Protocol)
        .as(n1Protocol)
        .contains("Neighbor address: " + NODE_IP.get("n1"))
        .contains("Neighbor AS:      64512")
        .containsPattern("Channel ipv6\\s+State:\\s+UP");

    // The routers learn each node's block from that node, next hop its global IPv6 address.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              for (String[] session :
                  new String[][] {{"tor", "n1"}, {"tor", "n2"}, {"tor2", "n1"}}) {
                String n = session[1];
                String r = birdc(session[0], "show", "route", "protocol", n, "all");
                assertThat(r)
                    .as(() -> n + "'s block at " + session[0] + "\n" + r + diagnostics())
                    .containsPattern(
                        blocks.get(n).replace(".", "\\.")
                            + "\\s+unicast \\["
                            + n
                            + " [^\\n]*\\n\\s+via "
                            + NODE_IP.get(n)
                            + " on eth0")
                    .containsPattern("BGP.next_hop: " + NODE_IP.get(n) + "[ \\n]")
                    .containsPattern("BGP.as_path: 64512\\n");
              }
            });

    // The routers' prefixes in the nodes' kernels, through the router's address. n2 has tor2's
    // prefix too: n1 passes it on over the mesh with its next hop unchanged (iBGP), as BIRD would.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              for (String n : NODES) {
                String r = in(n, "ip", "-6", "route", "show", "proto", "86");
                assertThat(r)
                    .as(() -> n + "\n" + r + diagnostics())
                    .contains("fd98:1::/64 via " + TOR + " dev eth0")
                    .contains("fd98:2::/64 via " + TOR_N1 + " dev eth0")
                    .containsPattern(
                        "fd99::[0-9a-f:]*/122 via " + NODE_IP.get(other(n)) + " dev eth0");
              }
            });
    for (String n : NODES) {
      assertThat(in(n, "ip", "-4", "route", "show", "proto", "86"))
          .as("no IPv4 route on an IPv6-only node")
          .isBlank();
    }
    assertThat(in("n2", "ip", "-6", "route", "get", "fd98:1::1"))
        .as("the kernel's choice for an address behind the ToR")
        .contains("via " + TOR);

    // node status: the ToR sessions in the IPv6 table, each with its scope, and no IPv4.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              String s = nodeStatus("n1");
              assertThat(s)
                  .as(() -> s + diagnostics())
                  .contains("No IPv4 peers found.")
                  .containsPattern(TOR + " +global +Established")
                  .containsPattern(TOR_N1 + " +node specific +Established")
                  .containsPattern(NODE_IP.get("n2") + " +node-to-node mesh +Established")
                  .doesNotContain("last error");
              String s2 = nodeStatus("n2");
              assertThat(s2)
                  .as(() -> s2 + diagnostics())
                  .containsPattern(TOR + " +global +Established")
                  .doesNotContain(TOR_N1);
            });
    assertThat(c.find(Kind.NODE, "n1").orElseThrow().spec().bgp().ipv4Address()).isNull();
  }

  // ------------------------------------------------------------------ fixture

  private static String other(String node) {
    return node.equals("n1") ? "n2" : "n1";
  }

  /**
   * BIRD in router {@code name}'s namespace, in the foreground so that this test owns the process:
   * one protocol per node it peers with, exporting its static {@code prefix}. Short connect-retry
   * and error-wait times: BIRD's defaults (120 s, 60 s) would outlast the test when its first
   * attempt reaches a node whose agent is not listening yet.
   */
  private void startBird(String name, String addr, String prefix, List<String> peers)
      throws Exception {
    StringBuilder conf =
        new StringBuilder(
            """
            log "%1$s/%2$s.log" all;
            router id 192.0.2.%3$d;
            protocol device { scan time 2; }
            protocol static originated { ipv6; route %4$s unreachable; }
            template bgp node {
              local %5$s as %6$d;
              connect retry time 2;
              error wait time 1, 5;
              ipv6 { import all; export where proto = "originated"; };
            }
            """
                .formatted(dir, name, 250 + birds.size(), prefix, addr, TOR_AS));
    for (String n : peers) {
      conf.append(
          "protocol bgp %s from node { neighbor %s as 64512; }\n".formatted(n, NODE_IP.get(n)));
    }
    Path file = dir.resolve(name + ".conf");
    Files.writeString(file, conf);
    Process proc =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                ns(name),
                "/usr/sbin/bird",
                "-f",
                "-c",
                file.toString(),
                "-s",
                birdSocket(name).toString(),
                "-P",
                dir.resolve(name + ".pid").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".out").toFile())
            .start();
    birds.put(name, proc);
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> !proc.isAlive() || Sh.run(5, birdcArgv(name, "show", "status")).ok());
    if (!proc.isAlive()) {
      throw new IllegalStateException(
          "bird exited " + proc.exitValue() + ": " + Files.readString(dir.resolve(name + ".out")));
    }
  }

  private Path birdSocket(String router) {
    return dir.resolve(router + ".ctl");
  }

  private String[] birdcArgv(String router, String... args) {
    List<String> argv = new ArrayList<>(List.of("birdc", "-s", birdSocket(router).toString()));
    argv.addAll(List.of(args));
    return argv.toArray(String[]::new);
  }

  private String birdc(String router, String... args) {
    return Sh.run(10, birdcArgv(router, args)).out();
  }

  private void startAgents() throws Exception {
    for (String n : NODES) {
      Path logFile = dir.resolve(n + ".log");
      agents.put(
          n,
          new ProcessBuilder(
                  netctlIn(
                      n,
                      "node",
                      "run",
                      "--name",
                      n,
                      "--ip",
                      "none",
                      "--resync-interval",
                      "30",
                      "--cni-socket",
                      dir.resolve(n + "-cni.sock").toString()))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start());
    }
    Ipv6Underlay.awaitIpv6Nodes(store, NODES);
  }

  private String nodeStatus(String node) {
    return Sh.run(30, netctlIn(node, "node", "status").toArray(String[]::new)).out();
  }

  /** {@code netctl ARGS} on the test's datastore, run inside {@code node}'s namespace. */
  private List<String> netctlIn(String node, String... args) {
    return Sh.netctlIn(ns(node), java, jar, "embedded:" + storeFile, args);
  }

  private String in(String name, String... argv) {
    return Sh.in(ns(name), argv);
  }

  /** What a failed wait shows: the routers' view and the tail of every log. */
  private String diagnostics() {
    StringBuilder sb = new StringBuilder();
    for (String router : birds.keySet()) {
      sb.append("\n--- ").append(router).append(": birdc show protocols\n");
      sb.append(birdc(router, "show", "protocols"));
      sb.append("\n--- ").append(router).append(": birdc show route all\n");
      sb.append(birdc(router, "show", "route", "all"));
    }
    for (String f : List.of("tor.log", "tor2.log", "n1.log", "n2.log")) {
      List<String> all;
      try {
        all = Files.readAllLines(dir.resolve(f));
      } catch (java.io.IOException e) {
        all = List.of("(none)");
      }
      sb.append("\n--- ").append(f).append('\n');
      sb.append(String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size())));
    }
    return sb.toString();
  }

  private String ns(String name) {
    return underlay.ns(name);
  }

  /** Stops the agents and BIRD and deletes the namespaces, once; also the shutdown hook. */
  private synchronized void tearDown() {
    // `ip netns exec` execs its command: each process is the agent or BIRD itself.
    for (Process proc : agents.values()) Ipv6Underlay.stop(proc);
    agents.clear();
    for (Process proc : birds.values()) Ipv6Underlay.stop(proc);
    birds.clear();
    if (store != null) store.close();
    store = null;
    if (underlay != null) underlay.close();
  }
}
