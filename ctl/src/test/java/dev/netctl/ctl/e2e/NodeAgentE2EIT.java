package dev.netctl.ctl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.BGPConfiguration;
import dev.netctl.datastore.model.BGPConfigurationSpec;
import dev.netctl.datastore.model.BGPFilter;
import dev.netctl.datastore.model.BGPFilterRule;
import dev.netctl.datastore.model.BGPFilterSpec;
import dev.netctl.datastore.model.BGPPeer;
import dev.netctl.datastore.model.BGPPeerSpec;
import dev.netctl.datastore.model.EncapsulationMode;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.IPPoolSpec;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.model.NodeBGPSpec;
import dev.netctl.datastore.model.NodeSpec;
import dev.netctl.datastore.model.ObjectMeta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The node agent end to end, on the real kernel: three nodes in network namespaces (two in subnet
 * A, one in subnet B behind a router), each running {@code netctl node run} from the built jar, one
 * shared embedded datastore, pods plumbed as the CNI plugin does. Every scenario starts from an
 * empty datastore, so each first apply also sweeps what the previous scenario's agents left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
@Timeout(600)
class NodeAgentE2EIT {

  private Lab lab;
  private List<String> pods = List.of();

  @BeforeAll
  void lab() throws Exception {
    Sh.requireRootAndTools("ip", "bridge", "nft", "ping", "bird", "birdc", "etcd", "etcdctl");
    lab = new Lab(Files.createTempDirectory("netctl-e2e-"));
  }

  @AfterAll
  void tearDown() throws Exception {
    if (lab != null) lab.close();
  }

  @AfterEach
  void stop() throws Exception {
    if (lab == null) return;
    lab.stopAgents();
    lab.deletePods(pods);
    pods = List.of();
  }

  private ResourceClient scenario(IPPoolSpec pool, boolean mesh) {
    lab.freshStore();
    ResourceClient c = lab.client();
    c.create(new IPPool(ObjectMeta.named("pool"), pool));
    c.create(
        new BGPConfiguration(
            ObjectMeta.named("default"),
            BGPConfigurationSpec.empty().withNodeToNodeMeshEnabled(mesh)));
    return c;
  }

  private static IPPoolSpec pool(
      String cidr, EncapsulationMode ipip, EncapsulationMode vxlan, boolean nat) {
    return new IPPoolSpec(cidr, null, ipip, vxlan, nat, false, false, null, null, null);
  }

  private void awaitPing(String from, String ip) {
    await()
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(lab.ping(from, ip))
                    .as(() -> from + " -> " + ip + "\n" + logs() + routes())
                    .isTrue());
  }

  private String logs() {
    StringBuilder sb = new StringBuilder();
    for (String n : Lab.NODES) sb.append("--- ").append(n).append('\n').append(lab.log(n));
    return sb.toString();
  }

  private String routes() {
    StringBuilder sb = new StringBuilder();
    for (String n : Lab.NODES) {
      sb.append("--- routes ").append(n).append('\n').append(lab.in(n, 10, "ip", "route").out());
    }
    return sb.toString();
  }

  private List<String> threePods(String... pools) throws Exception {
    pods = List.of("pa", "pb", "pc");
    return List.of(
        lab.pod("n1", "pa", pools), lab.pod("n2", "pb", pools), lab.pod("n3", "pc", pools));
  }

  @Test
  void bgpFullMeshWithNativeRoutingCarriesPodTraffic() throws Exception {
    scenario(pool("10.244.0.0/16", EncapsulationMode.NEVER, EncapsulationMode.NEVER, false), true);
    lab.startAgents(Lab.NODES);
    List<String> ips = threePods();
    awaitPing("pa", ips.get(1));
    awaitPing("pb", ips.get(0));
    // n3 is in another subnet: the router must know pod routes for native routing there, and it
    // does not, so only the same-subnet pair is asserted natively (CrossSubnet covers the rest).
    String r = lab.ownedRoutes("n1");
    assertThat(r)
        .as("learned block of n2, native, with our protocol")
        .containsPattern("10\\.244\\.\\d+\\.\\d+/26 via 10\\.90\\.1\\.2 dev eth0");
    assertThat(r).containsPattern("blackhole 10\\.244\\.\\d+\\.\\d+/26");
    assertThat(r).contains(ips.get(0) + " dev cali");
    assertThat(lab.in("n1", 10, "ip", "link", "show", "vxlan.calico").ok())
        .as("no VXLAN device without a VXLAN pool")
        .isFalse();
  }

  @Test
  void vxlanAlwaysReachesEveryNodeIncludingTheOtherSubnet() throws Exception {
    scenario(pool("10.245.0.0/16", EncapsulationMode.NEVER, EncapsulationMode.ALWAYS, false), true);
    lab.startAgents(Lab.NODES);
    List<String> ips = threePods();
    awaitPing("pa", ips.get(1));
    awaitPing("pa", ips.get(2));
    awaitPing("pc", ips.get(0));
    String r = lab.ownedRoutes("n1");
    assertThat(r)
        .containsPattern(
            "10\\.245\\.\\d+\\.\\d+/26 via 10\\.245\\.\\d+\\.\\d+ dev vxlan\\.calico onlink");
    String mtu = lab.in("n1", 10, "ip", "-o", "link", "show", "vxlan.calico").out();
    assertThat(mtu).contains("mtu 1450");
    assertThat(lab.in("n1", 10, "bridge", "fdb", "show", "dev", "vxlan.calico").out())
        .contains("dst 10.90.2.3 self permanent")
        .contains("dst 10.90.1.2 self permanent");
  }

  @Test
  void crossSubnetEncapsulatesOnlyAcrossSubnets() throws Exception {
    scenario(
        pool("10.246.0.0/16", EncapsulationMode.NEVER, EncapsulationMode.CROSS_SUBNET, false),
        true);
    lab.startAgents(Lab.NODES);
    List<String> ips = threePods();
    awaitPing("pa", ips.get(1));
    awaitPing("pa", ips.get(2));
    String r = lab.ownedRoutes("n1");
    assertThat(r).as(r).containsPattern("10\\.246\\.\\d+\\.\\d+/26 via 10\\.90\\.1\\.2 dev eth0");
    assertThat(r)
        .as(r)
        .containsPattern(
            "10\\.246\\.\\d+\\.\\d+/26 via 10\\.246\\.\\d+\\.\\d+ dev vxlan\\.calico onlink");

    long before = vxlanTxPackets("n1");
    assertThat(lab.ping("pa", ips.get(1))).isTrue();
    assertThat(vxlanTxPackets("n1")).as("same subnet: not encapsulated").isEqualTo(before);
    assertThat(lab.ping("pa", ips.get(2))).isTrue();
    assertThat(vxlanTxPackets("n1"))
        .as("other subnet: encapsulated")
        .isGreaterThanOrEqualTo(before + 2);
  }

  private long vxlanTxPackets(String node) {
    String out = lab.in(node, 10, "ip", "-s", "-o", "link", "show", "vxlan.calico").out();
    Matcher m = Pattern.compile("TX:.*?\\\\\\s+(\\d+)\\s+(\\d+)").matcher(out);
    if (!m.find()) throw new AssertionError("no TX counters in: " + out);
    return Long.parseLong(m.group(2));
  }

  @Test
  void ipipOnAKernelWithoutIpipFallsBackToVxlan() throws Exception {
    ResourceClient c =
        scenario(
            pool("10.247.0.0/16", EncapsulationMode.ALWAYS, EncapsulationMode.NEVER, false), true);
    lab.startAgents(Lab.NODES);
    List<String> ips = threePods();
    awaitPing("pa", ips.get(2));
    awaitPing("pc", ips.get(1));
    Node n1 = c.get(Kind.NODE, "n1");
    assertThat(n1.metadata().annotations()).containsEntry("netctl.dev/ipip-fallback", "vxlan");
    assertThat(lab.ownedRoutes("n1")).contains("dev vxlan.calico onlink");
    assertThat(lab.log("n1")).contains("no IP-in-IP support");
    String status = lab.in("n1", 20, lab.java, "-jar", lab.jar.toString(), "node", "status").out();
    assertThat(status).contains("IPIP pools carried over VXLAN").contains("Established");
  }

  @Test
  void natOutgoingHidesPodsFromTheOutsideButNotFromEachOther() throws Exception {
    scenario(pool("10.248.0.0/16", EncapsulationMode.NEVER, EncapsulationMode.ALWAYS, true), true);
    lab.startAgents(Lab.NODES);
    List<String> ips = threePods();
    awaitPing("pa", ips.get(1));
    assertThat(sourceSeenBy("ext", "10.90.3.1", "pa")).isEqualTo("10.90.1.1");
    assertThat(sourceSeenBy("pb", ips.get(1), "pa")).isEqualTo(ips.get(0));
  }

  /** Starts a one-shot TCP server in {@code server} and connects from {@code client}. */
  private String sourceSeenBy(String server, String serverIp, String client) throws Exception {
    Path out = lab.dir.resolve("seen-" + server + "-" + System.nanoTime());
    String py = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    ProcessBuilder pb =
        new ProcessBuilder(
            "ip",
            "netns",
            "exec",
            lab.ns(server),
            py,
            "-c",
            "import socket\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
                + "s.bind(('0.0.0.0',8080))\ns.listen()\ns.settimeout(20)\nc,a=s.accept()\nprint(a[0],flush=True)\n");
    pb.redirectOutput(out.toFile()).redirectErrorStream(true);
    Process srv = pb.start();
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(300))
          .until(
              () ->
                  lab.in(
                          client,
                          5,
                          py,
                          "-c",
                          "import socket\nsocket.create_connection(('"
                              + serverIp
                              + "',8080),timeout=2).close()")
                      .ok());
      srv.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      return Files.readString(out).strip();
    } finally {
      srv.destroyForcibly();
    }
  }

  private static BGPPeerSpec selectorPeer(String nodeSelector, String peerSelector) {
    return new BGPPeerSpec(
        null, nodeSelector, null, null, peerSelector, null, false, null, null, null, null, null);
  }

  /** n3 is a route reflector; every other node peers with the reflectors (Calico's BGPPeer). */
  private static void reflectorN3WithClientsDialling(ResourceClient c) {
    c.create(
        new Node(
            ObjectMeta.named("n3", Map.of("route-reflector", "true")),
            NodeSpec.bgp(new NodeBGPSpec(null, null, null, "224.0.0.1"))));
    c.create(
        new BGPPeer(
            ObjectMeta.named("to-rr"),
            selectorPeer("!has(route-reflector)", "has(route-reflector)")));
  }

  @Test
  void routeReflectorTopologyWithMeshOff() throws Exception {
    ResourceClient c =
        scenario(
            pool("10.249.0.0/16", EncapsulationMode.NEVER, EncapsulationMode.NEVER, false), false);
    // The reflector is n3, in the other subnet: n1 and n2 have no session with each other, so
    // each learns the other's block only as reflected by n3, next hop unchanged (RFC 4456).
    reflectorN3WithClientsDialling(c);
    for (String n : List.of("n1", "n2")) c.create(Node.of(n, NodeSpec.bgp(null)));
    c.create(
        new BGPPeer(
            ObjectMeta.named("rr-to-clients"),
            selectorPeer("has(route-reflector)", "!has(route-reflector)")));
    lab.startAgents(Lab.NODES);
    List<String> ips = threePods();
    awaitPing("pa", ips.get(1));
    assertThat(lab.ownedRoutes("n1"))
        .containsPattern("10\\.249\\.\\d+\\.\\d+/26 via 10\\.90\\.1\\.2");
    String status = lab.in("n1", 20, lab.java, "-jar", lab.jar.toString(), "node", "status").out();
    assertThat(status)
        .as("a client peers with the reflector only")
        .containsPattern("10\\.90\\.2\\.3 +node specific +Established")
        .doesNotContain("10.90.1.2 ");
  }

  @Test
  void externalTorLearnsEveryPodBlockOverEbgp() throws Exception {
    ResourceClient c =
        scenario(
            pool("10.250.0.0/16", EncapsulationMode.NEVER, EncapsulationMode.ALWAYS, false), true);
    c.create(
        Node.of("n1", NodeSpec.bgp(null))
            .withMetadata(ObjectMeta.named("n1", Map.of("rack", "a"))));
    c.create(
        Node.of("n2", NodeSpec.bgp(null))
            .withMetadata(ObjectMeta.named("n2", Map.of("rack", "a"))));
    c.create(
        Node.of("n3", NodeSpec.bgp(null))
            .withMetadata(ObjectMeta.named("n3", Map.of("rack", "b"))));
    c.create(
        new BGPPeer(
            ObjectMeta.named("tor-a"),
            BGPPeerSpec.global("10.90.1.254", 65000).withSelectors("rack == 'a'", null)));
    c.create(
        new BGPPeer(
            ObjectMeta.named("tor-b"),
            BGPPeerSpec.global("10.90.2.254", 65000).withSelectors("rack == 'b'", null)));
    Path sock = lab.dir.resolve("bird.ctl");
    StringBuilder bird = new StringBuilder();
    for (String n : Lab.NODES) {
      String local = n.equals("n3") ? "10.90.2.254" : "10.90.1.254";
      bird.append(
          """
          protocol bgp %s {
            local %s as 65000;
            neighbor %s as 64512;
            ipv4 { import all; export none; };
          }
          """
              .formatted(n, local, Lab.NODE_IP.get(n)));
    }
    Process birdProc = startBird("bird", "10.90.1.254", bird.toString());
    try {
      lab.startAgents(Lab.NODES);
      pods = List.of("pa", "pb", "pc");
      lab.pod("n1", "pa");
      lab.pod("n2", "pb");
      lab.pod("n3", "pc");
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () -> {
                String routes = birdc(sock, "show", "route");
                var blocks = lab.blocks();
                assertThat(blocks.keySet()).containsExactlyInAnyOrderElementsOf(Lab.NODES);
                for (String n : Lab.NODES) {
                  String fromOwner = birdc(sock, "show", "route", "protocol", n);
                  for (String b : blocks.get(n)) {
                    assertThat(fromOwner)
                        .as(n + " advertises its block " + b + " to the ToR\n" + routes)
                        .contains(b)
                        .contains("via " + Lab.NODE_IP.get(n));
                  }
                }
              });
    } finally {
      stopBird(birdProc);
    }
  }

  @Test
  void routeReflectorAcceptsItsClientsThroughARangeWithoutANeighbourPerClient() throws Exception {
    ResourceClient c =
        scenario(
            pool("10.240.0.0/16", EncapsulationMode.NEVER, EncapsulationMode.NEVER, false), false);
    c.update(
        new BGPConfiguration(
            ObjectMeta.named("default"),
            c.get(Kind.BGP_CONFIGURATION, "default")
                .spec()
                .withRouteReflectorClientRanges(
                    List.of(new BGPConfigurationSpec.ReflectorClientRange("10.90.1.0/24", 10)))));
    // Only the clients' side is configured: they dial the reflector, the range admits them.
    reflectorN3WithClientsDialling(c);
    lab.startAgents(Lab.NODES);
    List<String> ips = threePods();
    awaitPing("pa", ips.get(1));
    assertThat(lab.ownedRoutes("n1"))
        .containsPattern("10\\.240\\.\\d+\\.\\d+/26 via 10\\.90\\.1\\.2");
    assertThat(lab.log("n3")).contains("reflector clients accepted from 10.90.1.0/24");
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(nodeStatus("n3"))
                    .containsPattern("10\\.90\\.1\\.1 +node specific +Established")
                    .containsPattern("10\\.90\\.1\\.2 +node specific +Established"));
  }

  private String nodeStatus(String node) {
    return lab.in(node, 20, lab.java, "-jar", lab.jar.toString(), "node", "status").out();
  }

  /**
   * BIRD in the router namespace, with {@code config} after a router id and the device protocol.
   */
  private Process startBird(String name, String routerId, String config) throws Exception {
    Path conf = lab.dir.resolve(name + ".conf");
    Files.writeString(conf, "router id " + routerId + ";\nprotocol device {}\n" + config);
    return new ProcessBuilder(
            "ip",
            "netns",
            "exec",
            lab.ns("rt"),
            "bird",
            "-f",
            "-c",
            conf.toString(),
            "-s",
            lab.dir.resolve(name + ".ctl").toString())
        .redirectErrorStream(true)
        .redirectOutput(lab.dir.resolve(name + ".log").toFile())
        .start();
  }

  private static void stopBird(Process bird) throws InterruptedException {
    bird.destroy();
    if (!bird.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) bird.destroyForcibly();
  }

  private static BGPFilterRule rule(
      BGPFilterRule.Action action, BGPFilterRule.MatchOperator op, String cidr) {
    return new BGPFilterRule(action, op, cidr, null, null, null);
  }

  @Test
  void bgpFiltersShapeWhatTheTorLearnsAndWhatTheNodeInstallsAndChangeLive() throws Exception {
    ResourceClient c =
        scenario(
            pool("10.241.0.0/16", EncapsulationMode.NEVER, EncapsulationMode.NEVER, false), true);
    c.create(
        new IPPool(
            ObjectMeta.named("hidden"),
            pool("10.242.0.0/16", EncapsulationMode.NEVER, EncapsulationMode.NEVER, false)));
    BGPFilterSpec filter =
        new BGPFilterSpec(
            List.of(
                rule(BGPFilterRule.Action.REJECT, BGPFilterRule.MatchOperator.IN, "10.242.0.0/16")),
            List.of(
                rule(
                    BGPFilterRule.Action.REJECT,
                    BGPFilterRule.MatchOperator.EQUAL,
                    "198.51.100.0/24")),
            null,
            null);
    c.create(BGPFilter.of("tor", filter));
    c.create(
        new BGPPeer(
            ObjectMeta.named("tor"),
            new BGPPeerSpec(
                "n1",
                null,
                "10.90.1.254",
                65000L,
                null,
                null,
                false,
                null,
                null,
                null,
                null,
                List.of("tor"))));
    Process bird =
        startBird(
            "bird-filter",
            "10.90.1.254",
            """
            protocol static {
              ipv4;
              route 192.0.2.0/24 blackhole;
              route 198.51.100.0/24 blackhole;
            }
            protocol bgp n1 {
              local 10.90.1.254 as 65000;
              neighbor 10.90.1.1 as 64512;
              ipv4 { import all; export where source = RTS_STATIC; };
            }
            """);
    Path sock = lab.dir.resolve("bird-filter.ctl");
    try {
      lab.startAgents(List.of("n1"));
      String shown = lab.assign("n1", "shown", 1, 0, "pool").getFirst();
      String hidden = lab.assign("n1", "hidden", 1, 0, "hidden").getFirst();
      await()
          .atMost(Duration.ofSeconds(45))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                String learned = birdc(sock, "show", "route", "protocol", "n1");
                assertThat(learned).as(learned + lab.log("n1")).contains(shown);
                assertThat(lab.ownedRoutes("n1"))
                    .as("import filter keeps 192.0.2.0/24")
                    .contains("192.0.2.0/24 via 10.90.1.254");
              });
      assertThat(birdc(sock, "show", "route", "protocol", "n1"))
          .as("the export filter holds the hidden pool's block back")
          .doesNotContain(hidden);
      assertThat(lab.ownedRoutes("n1"))
          .as("the import filter rejects 198.51.100.0/24")
          .doesNotContain("198.51.100.0");
      String since = birdSince(sock);

      // Live: drop the export rule and the import rule; the session stays up.
      c.update(
          BGPFilter.of("tor", new BGPFilterSpec(null, null, null, null))
              .withMetadata(c.get(Kind.BGP_FILTER, "tor").metadata()));
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                assertThat(birdc(sock, "show", "route", "protocol", "n1")).contains(hidden);
                assertThat(lab.ownedRoutes("n1")).contains("198.51.100.0/24 via 10.90.1.254");
              });
      // BIRD renders its monotonic "since" through the wall clock on every call, so the same
      // instant can read a millisecond apart; a reset would put it after the filter change.
      String after = birdSince(sock);
      assertThat(Duration.between(clockOf(since), clockOf(after)).abs())
          .as("no session reset for a filter change: BIRD's since was %s, is %s", since, after)
          .isLessThan(Duration.ofMillis(50));
    } finally {
      stopBird(bird);
    }
  }

  /** When BIRD's session with n1 last changed state. */
  /** The time of day in BIRD's "since" ({@code HH:MM:SS.mmm}, after a date when not today). */
  private static java.time.LocalTime clockOf(String since) {
    String[] parts = since.trim().split("\\s+");
    return java.time.LocalTime.parse(parts[parts.length - 1]);
  }

  private String birdSince(Path sock) {
    String out = birdc(sock, "show", "protocols", "n1");
    Matcher m =
        Pattern.compile("n1\\s+BGP\\s+\\S+\\s+up\\s+(\\S+\\s+\\S+|\\S+)\\s+Established")
            .matcher(out);
    assertThat(m.find()).as(out).isTrue();
    return m.group(1);
  }

  @Test
  void dualStackNodesPeerOverIpv6AndAnIpv6TorLearnsTheIpv6Blocks() throws Exception {
    // IPv6 on subnet A only (n1, n2 and the router's leg), removed afterwards so that the other
    // scenarios keep their IPv4-only nodes.
    Map<String, String> v6 =
        Map.of("n1", "fd90:1::1/64", "n2", "fd90:1::2/64", "rt", "fd90:1::fe/64");
    for (var e : v6.entrySet()) {
      String dev = e.getKey().equals("rt") ? "ea" : "eth0";
      Sh.check("ip", "-n", lab.ns(e.getKey()), "addr", "add", e.getValue(), "dev", dev, "nodad");
    }
    Process bird = null;
    try {
      ResourceClient c =
          scenario(
              pool("10.243.0.0/16", EncapsulationMode.NEVER, EncapsulationMode.NEVER, false), true);
      c.create(
          new IPPool(
              ObjectMeta.named("pool6"),
              new IPPoolSpec(
                  "fd91::/64",
                  null,
                  EncapsulationMode.NEVER,
                  EncapsulationMode.NEVER,
                  false,
                  false,
                  false,
                  null,
                  null,
                  null)));
      c.create(
          new BGPPeer(
              ObjectMeta.named("tor6"), BGPPeerSpec.global("fd90:1::fe", 65000).withNode("n1")));
      bird =
          startBird(
              "bird6",
              "10.90.1.254",
              """
              protocol bgp n1 {
                local fd90:1::fe as 65000;
                neighbor fd90:1::1 as 64512;
                ipv6 { import all; export none; };
              }
              """);
      Path sock = lab.dir.resolve("bird6.ctl");
      lab.startAgents(List.of("n1", "n2"));
      String b1 = lab.assign("n1", "v6a", 0, 1, "pool6").getFirst();
      String b2 = lab.assign("n2", "v6b", 0, 1, "pool6").getFirst();
      await()
          .atMost(Duration.ofSeconds(45))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                String r6 = lab.in("n1", 10, "ip", "-6", "route", "show", "proto", "86").out();
                assertThat(r6)
                    .as("n2's IPv6 block, learned over the IPv6 session\n" + r6 + lab.log("n1"))
                    .contains(b2 + " via fd90:1::2 dev eth0");
                String tor = birdc(sock, "show", "route");
                assertThat(tor).as(tor).contains(b1).contains(b2);
              });
      // A session that lost a connection collision may be between connections for a moment.
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                String status = nodeStatus("n1");
                assertThat(status)
                    .as(() -> status + lab.tail("n1", 60) + lab.tail("n2", 60))
                    .containsPattern("IPv6 BGP status\\s+PEER ADDRESS")
                    .containsPattern("fd90:1::2 +node-to-node mesh +Established")
                    // tor6 is a BGPPeer of n1 alone (node: n1), as calicoctl types it.
                    .containsPattern("fd90:1::fe +node specific +Established")
                    .containsPattern("10\\.90\\.1\\.2 +node-to-node mesh +Established");
              });
    } finally {
      if (bird != null) stopBird(bird);
      for (var e : v6.entrySet()) {
        String dev = e.getKey().equals("rt") ? "ea" : "eth0";
        Sh.run(10, "ip", "-n", lab.ns(e.getKey()), "addr", "del", e.getValue(), "dev", dev);
      }
    }
  }

  /** Runs last: it switches the lab to an etcd inside the underlay namespace for good. */
  @Test
  @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
  void zzVxlanOnEtcdRunningInsideTheUnderlay() throws Exception {
    lab.useEtcdInUnderlay();
    lab.cli(
        """
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata: {name: etcd-pool}
        spec: {cidr: 10.252.0.0/16, vxlanMode: Always}
        """,
        "apply",
        "-f",
        "-");
    lab.startAgents(Lab.NODES);
    List<String> ips = threePods();
    awaitPing("pa", ips.get(2));
    awaitPing("pc", ips.get(1));
    assertThat(lab.cli(null, "get", "nodes", "-o", "yaml"))
        .contains("ipv4VXLANTunnelAddr: 10.252.");
  }

  /** How many first applies {@code node}'s agents have logged (one per start). */
  private long firstApplies(String node) {
    return lab.log(node).lines().filter(l -> l.contains("first apply:")).count();
  }

  /** Waits until the node's agent has made a first apply since {@code seen} of them: it started. */
  private void awaitStartedSince(String node, long seen) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> firstApplies(node) > seen);
  }

  /** {@code netctl apply -f -} of {@code yaml}. */
  private void apply(String yaml) throws Exception {
    lab.cli(yaml, "apply", "-f", "-");
  }

  /** A birdc command against the ToR running in the router namespace. */
  private String birdc(Path sock, String... command) {
    List<String> argv =
        new java.util.ArrayList<>(
            List.of("ip", "netns", "exec", lab.ns("rt"), "birdc", "-s", sock.toString()));
    argv.addAll(List.of(command));
    return Sh.run(10, argv.toArray(String[]::new)).out();
  }

  // `ip monitor route` in a node's namespace, into a file of the lab's directory.
  private Process routeMonitor(String node, String file) throws java.io.IOException {
    return new ProcessBuilder("ip", "-n", lab.ns(node), "monitor", "route")
        .redirectErrorStream(true)
        .redirectOutput(lab.dir.resolve(file).toFile())
        .start();
  }

  // {@code count} pings from a pod's namespace, ten a second, into a file of the lab's directory.
  private Process pinger(String from, String ip, int count, String file)
      throws java.io.IOException {
    return new ProcessBuilder(
            "ip",
            "netns",
            "exec",
            lab.ns(from),
            "ping",
            "-c",
            String.valueOf(count),
            "-i",
            "0.1",
            "-W",
            "1",
            ip)
        .redirectErrorStream(true)
        .redirectOutput(lab.dir.resolve(file).toFile())
        .start();
  }

  // How many replies a finished ping's summary counts.
  private int received(String file) throws java.io.IOException {
    String summary = Files.readString(lab.dir.resolve(file));
    Matcher m = Pattern.compile("(\\d+) received").matcher(summary);
    assertThat(m.find()).as(summary).isTrue();
    return Integer.parseInt(m.group(1));
  }

  @Test
  void killDashNineAndRestartKeepsEveryRouteAndTheTraffic() throws Exception {
    scenario(pool("10.251.0.0/16", EncapsulationMode.NEVER, EncapsulationMode.ALWAYS, false), true);
    lab.startAgents(Lab.NODES);
    List<String> ips = threePods();
    awaitPing("pa", ips.get(2));
    String before = lab.ownedRoutes("n1");
    Process monitor = routeMonitor("n1", "monitor.log");
    Process ping = pinger("pa", ips.get(2), 60, "ping.log");
    try {
      Thread.sleep(1000);
      // The agent's log is appended across the restart: the restarted one's first apply is the
      // next "first apply:" line.
      long applies = firstApplies("n1");
      lab.stopAgent("n1", true);
      lab.startAgent("n1");
      assertThat(ping.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(received("ping.log")).isGreaterThanOrEqualTo(57);
      awaitStartedSince("n1", applies);
      assertThat(lab.ownedRoutes("n1")).isEqualTo(before);
    } finally {
      ping.destroyForcibly();
      monitor.destroy();
      monitor.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
    }
    assertThat(Files.readString(lab.dir.resolve("monitor.log")))
        .as("no route was deleted across the restart")
        .doesNotContain("Deleted");
  }

  @Test
  void aFelixConfigurationChangeRestartsTheAgentInItsProcessAndKeepsTheTraffic() throws Exception {
    scenario(pool("10.252.0.0/16", EncapsulationMode.NEVER, EncapsulationMode.ALWAYS, false), true);
    lab.startAgents(Lab.NODES);
    List<String> ips = threePods();
    awaitPing("pa", ips.get(2));
    String before = lab.ownedRoutes("n1");
    Process monitor = routeMonitor("n1", "monitor-felix.log");
    Process ping = pinger("pa", ips.get(2), 120, "ping-felix.log");
    try {
      Thread.sleep(1000);
      long applies = firstApplies("n1");
      // n1's own object moves its status port: its agent restarts in the same process (nothing in
      // the lab would start it again) with the new port; node.n2 restarts n2 alone, and n3, named
      // by neither, goes on as it was.
      apply(
          "apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\n"
              + "metadata: {name: node.n2}\nspec: {healthPort: 9198}\n"
              + "---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\n"
              + "metadata: {name: node.n1}\nspec: {healthPort: 9197}\n");
      awaitStartedSince("n1", applies);
      assertThat(ping.isAlive()).as("the pings span the whole restart").isTrue();
      assertThat(lab.log("n1"))
          .contains(
              "FelixConfiguration changed (healthPort 9099 -> 9197): restarting the agent to"
                  + " apply it")
          .contains("node agent n1 running, status on 127.0.0.1:9197");
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> lab.log("n2").contains("node agent n2 running, status on 127.0.0.1:9198"));
      assertThat(lab.log("n3")).doesNotContain("FelixConfiguration changed");
      assertThat(ping.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(received("ping-felix.log")).isGreaterThanOrEqualTo(114);
      // A change the agent cannot start with: it goes back to what it ran with, and stays there.
      long applied = firstApplies("n1");
      apply(
          "apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\n"
              + "metadata: {name: node.n1}\nspec: {healthPort: 9197, healthHost: no-such-host.invalid}\n");
      awaitStartedSince("n1", applied);
      assertThat(lab.log("n1"))
          .contains("the agent did not start with the changed FelixConfiguration");
      // The same settings written again (a label added) are still the refused ones.
      apply(
          "apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\n"
              + "metadata: {name: node.n1, labels: {again: \"yes\"}}\n"
              + "spec: {healthPort: 9197, healthHost: no-such-host.invalid}\n");
      Thread.sleep(2500);
      assertThat(firstApplies("n1"))
          .as("no restart again for the refused change")
          .isEqualTo(applied + 1);
      assertThat(lab.log("n1").lines().filter(l -> l.contains("status on 127.0.0.1:9197")).count())
          .as("running again with the settings it had")
          .isEqualTo(2);
      assertThat(lab.ownedRoutes("n1")).isEqualTo(before);
    } finally {
      ping.destroyForcibly();
      monitor.destroy();
      monitor.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
    }
    assertThat(Files.readString(lab.dir.resolve("monitor-felix.log")))
        .as("no route was deleted across the restart")
        .doesNotContain("Deleted");
  }
}
