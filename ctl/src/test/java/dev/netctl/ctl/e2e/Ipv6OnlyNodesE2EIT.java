package dev.netctl.ctl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netctl.agent.cni.CniInstaller;
import dev.netctl.agent.exec.Exec;
import dev.netctl.agent.routing.PeerPlanner;
import dev.netctl.agent.routing.RouterId;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.model.EncapsulationMode;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.IPPoolSpec;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.model.ObjectMeta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * IPv6-only nodes (Calico's IP=none) on a real kernel: three node namespaces on one IPv6-only
 * underlay bridge (no IPv4 address anywhere but each namespace's loopback), each running {@code
 * java -jar netctl.jar node run}: n1 and n2 with {@code --ip none} (hashed router ids), n3 with the
 * default {@code --ip auto}, which finds no IPv4 address and runs IPv6-only, and an explicit {@code
 * --router-id}. One IPv6 pool; pods are started through the real CNI plugin with a dual-stack
 * config (IPv4 and IPv6), which on these nodes gives them IPv6 only. Nothing links into the root
 * namespace; names carry their own prefix ({@code v6} + random hex).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class Ipv6OnlyNodesE2EIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private static final Map<String, String> NODE_IP =
      Map.of("n1", "fd95::1", "n2", "fd95::2", "n3", "fd95::3");
  private static final String N3_ROUTER_ID = "192.0.2.33";

  private final String p =
      "v6" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
  private Ipv6Underlay underlay;
  private final Map<String, Process> agents = new LinkedHashMap<>();
  private final List<String> pods = new ArrayList<>();
  private final Thread cleanup = new Thread(this::tearDown, "v6only-cleanup");
  private Path dir;
  private Path jar;
  private String java;
  private Datastore store;
  private Path storeFile;
  private int generation;
  private Map<String, String> cniConfigs;

  @BeforeAll
  void lab() throws Exception {
    Sh.requireRootAndTools("ip", "nft", "ping", "nsenter");
    dir = Files.createTempDirectory("netctl-v6only-");
    jar = Path.of("target/netctl.jar").toAbsolutePath();
    java = ProcessHandle.current().info().command().orElse("java");
    Runtime.getRuntime().addShutdownHook(cleanup);
    underlay = new Ipv6Underlay(p);
    for (String n : NODES) underlay.attach(n, NODE_IP.get(n));
    Path bin = dir.resolve("cni/bin");
    Path conf = dir.resolve("cni/net.d");
    CniInstaller.install(
        new CniInstaller.Options(
            bin, conf, null, socket("n1").toString(), 0, Path.of(java), true, true));
    JsonNode list = JSON.readTree(Files.readString(conf.resolve(CniInstaller.CONFLIST)));
    cniConfigs = new LinkedHashMap<>();
    for (String n : NODES) {
      ObjectNode c = ((ObjectNode) list.path("plugins").get(0)).deepCopy();
      c.put("cniVersion", list.path("cniVersion").asText());
      c.put("name", list.path("name").asText());
      c.put("agent_socket", socket(n).toString());
      cniConfigs.put(n, JSON.writeValueAsString(c));
    }
  }

  @AfterEach
  void stopScenario() {
    stopAgents();
    for (String pod : pods) {
      underlay.delete(pod);
    }
    pods.clear();
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
  void nativeIpv6PoolMeshesOverIpv6AndPodsOnDifferentNodesPingEachOther() throws Exception {
    ResourceClient c = scenario(EncapsulationMode.NEVER);
    startAgents();
    Map<String, String> ips = threePods();

    for (String from : List.of("pa", "pb", "pc")) {
      for (var to : ips.entrySet()) {
        if (!to.getKey().equals(from)) awaitPing(from, to.getValue());
      }
    }
    String r6 = in("n1", "ip", "-6", "route", "show", "proto", "86");
    assertThat(r6)
        .as("n2's block learned over the IPv6 mesh, native, next hop n2's address\n" + r6)
        .containsPattern("fd96::[0-9a-f:]*/122 via fd95::2 dev eth0");
    assertThat(r6).contains(ips.get("pa") + " dev cali").containsPattern("blackhole fd96:");
    assertThat(in("n1", "ip", "-4", "route", "show", "proto", "86"))
        .as("no IPv4 route on an IPv6-only node")
        .isBlank();

    // Every session over IPv6, none over IPv4; the status shows no IPv4 without an error.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              String status = nodeStatus("n1");
              assertThat(status)
                  .as(() -> status + tail("n1"))
                  .contains("No IPv4 peers found.")
                  .containsPattern("fd95::2 +node-to-node mesh +Established")
                  .containsPattern("fd95::3 +node-to-node mesh +Established")
                  .contains("addresses:     fd95::1/64 (IPv6 only)")
                  .doesNotContain("last error");
            });

    Node n1 = c.get(Kind.NODE, "n1");
    Node n3 = c.get(Kind.NODE, "n3");
    assertThat(n1.spec().bgp().ipv4Address()).isNull();
    assertThat(n1.spec().bgp().ipv6Address()).isEqualTo("fd95::1/64");
    assertThat(n1.metadata().annotations())
        .containsEntry(PeerPlanner.ROUTER_ID_ANNOTATION, Cidr.format(RouterId.hash("n1")));
    assertThat(n3.spec().bgp().ipv4Address())
        .as("--ip auto found no IPv4 address: IPv6-only")
        .isNull();
    assertThat(n3.metadata().annotations())
        .containsEntry(PeerPlanner.ROUTER_ID_ANNOTATION, N3_ROUTER_ID);
    assertThat(log("n3")).contains("BGP router id " + N3_ROUTER_ID);
    assertThat(in("n1", "nft", "list", "table", "ip6", "netctl-nat"))
        .as("natOutgoing for the IPv6 pool")
        .contains("masquerade");
  }

  @Test
  void vxlanIpv6PoolCarriesPodTrafficOverTheIpv6Vxlan() throws Exception {
    scenario(EncapsulationMode.ALWAYS);
    startAgents();
    Map<String, String> ips = threePods();
    awaitPing("pa", ips.get("pb"));
    awaitPing("pc", ips.get("pa"));
    String r6 = in("n1", "ip", "-6", "route", "show", "proto", "86");
    assertThat(r6)
        .as("remote blocks over the IPv6 VXLAN device\n" + r6)
        .containsPattern("fd96::[0-9a-f:]*/122 via fd96::[0-9a-f:]+ dev vxlan-v6.calico");
    assertThat(in("n1", "ip", "-d", "link", "show", "vxlan-v6.calico")).contains("local fd95::1");
    assertThat(in("n1", "ip", "link", "show", "vxlan.calico"))
        .as("no IPv4 VXLAN device")
        .doesNotContain("vxlan.calico:");
  }

  // ------------------------------------------------------------------ fixture

  private ResourceClient scenario(EncapsulationMode vxlan) {
    if (store != null) store.close();
    storeFile = dir.resolve("store-" + ++generation + ".db");
    store = Datastores.open("embedded:" + storeFile, null);
    ResourceClient c = new ResourceClient(store);
    c.create(
        new IPPool(
            ObjectMeta.named("pool6"),
            new IPPoolSpec(
                "fd96::/64",
                null,
                EncapsulationMode.NEVER,
                vxlan,
                true,
                false,
                false,
                null,
                null,
                null)));
    return c;
  }

  private void startAgents() throws Exception {
    for (String n : NODES) {
      List<String> argv =
          netctlIn(
              n,
              "node",
              "run",
              "--name",
              n,
              "--resync-interval",
              "30",
              "--cni-socket",
              socket(n).toString());
      if (n.equals("n3")) argv.addAll(List.of("--router-id", N3_ROUTER_ID));
      else argv.addAll(List.of("--ip", "none"));
      Path logFile = dir.resolve(n + "-" + generation + ".log");
      agents.put(
          n,
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start());
    }
    Ipv6Underlay.awaitIpv6Nodes(store, NODES);
  }

  /** A pod per node through CNI ADD, retried while the agent says "try again later" (11). */
  private Map<String, String> threePods() throws Exception {
    Map<String, String> ips = new LinkedHashMap<>();
    ips.put("pa", addPod("n1", "pa"));
    ips.put("pb", addPod("n2", "pb"));
    ips.put("pc", addPod("n3", "pc"));
    return ips;
  }

  private String addPod(String node, String pod) throws Exception {
    underlay.netns(pod);
    pods.add(pod);
    String id = p + pod + generation;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      Exec.Result r =
          Exec.run(
              Duration.ofSeconds(60),
              Map.of(
                  "CNI_COMMAND",
                  "ADD",
                  "CNI_CONTAINERID",
                  id,
                  "CNI_NETNS",
                  "/var/run/netns/" + ns(pod),
                  "CNI_IFNAME",
                  "eth0",
                  "CNI_PATH",
                  dir.resolve("cni/bin").toString(),
                  "CNI_ARGS",
                  "K8S_POD_NAMESPACE=default;K8S_POD_NAME=" + pod),
              cniConfigs.get(node),
              List.of(dir.resolve("cni/bin/netctl").toString()));
      JsonNode res = r.stdout().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.stdout());
      if (r.ok()) {
        JsonNode addrs = res.path("ips");
        assertThat(addrs.size()).as("IPv6 only: no IPv4 pool applies\n" + res).isEqualTo(1);
        String a = addrs.get(0).path("address").asText();
        assertThat(a).as(res.toString()).startsWith("fd96:").endsWith("/128");
        return a.substring(0, a.indexOf('/'));
      }
      if (res.path("code").asInt() != 11 || System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "CNI ADD of " + pod + " on " + node + ": " + r.stdout() + r.stderr() + tail(node));
      }
      Thread.sleep(250);
    }
  }

  private void awaitPing(String from, String ip) {
    await()
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(
                        Sh.run(
                                10, "ip", "netns", "exec", ns(from), "ping", "-6", "-c", "2", "-i",
                                "0.2", "-W", "1", ip)
                            .ok())
                    .as(() -> from + " -> " + ip + tail("n1") + tail("n2") + tail("n3"))
                    .isTrue());
  }

  private String nodeStatus(String node) {
    return Sh.run(30, netctlIn(node, "node", "status").toArray(String[]::new)).out();
  }

  /** {@code netctl ARGS} on this scenario's datastore, run inside {@code node}'s namespace. */
  private List<String> netctlIn(String node, String... args) {
    return Sh.netctlIn(ns(node), java, jar, "embedded:" + storeFile, args);
  }

  private String in(String name, String... argv) {
    return Sh.in(ns(name), argv);
  }

  private String log(String node) {
    try {
      return Files.readString(dir.resolve(node + "-" + generation + ".log"));
    } catch (java.io.IOException e) {
      return "(no log)";
    }
  }

  private String tail(String node) {
    List<String> all = log(node).lines().toList();
    return "\n--- "
        + node
        + "\n"
        + String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
  }

  private Path socket(String node) {
    return dir.resolve(node + "-cni.sock");
  }

  private String ns(String name) {
    return underlay.ns(name);
  }

  private synchronized void stopAgents() {
    for (Process proc : agents.values()) Ipv6Underlay.stop(proc);
    agents.clear();
  }

  private synchronized void tearDown() {
    stopAgents();
    if (store != null) store.close();
    store = null;
    if (underlay != null) underlay.close();
  }
}
