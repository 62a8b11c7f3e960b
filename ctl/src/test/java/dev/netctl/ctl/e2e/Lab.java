package dev.netctl.ctl.e2e;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.datastore.model.WorkloadEndpoint;
import dev.netctl.datastore.model.WorkloadEndpointSpec;
import dev.netctl.ipam.allocator.AssignRequest;
import dev.netctl.ipam.allocator.IpamAllocator;
import dev.netctl.ipam.allocator.ResourceEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A small cluster in network namespaces, isolated from the root namespace:
 *
 * <pre>
 *   {P}ul:  bridges a, b, x (the underlay's three segments)
 *   {P}rt:  router 10.90.1.254 (a), 10.90.2.254 (b), 10.90.3.254 (x), forwarding
 *   {P}n1:  10.90.1.1/24 on a   {P}n2: 10.90.1.2/24 on a   (subnet A)
 *   {P}n3:  10.90.2.3/24 on b                              (subnet B, behind the router)
 *   {P}ext: 10.90.3.1/24 on x   an "outside" host that knows no pod address
 * </pre>
 *
 * Each node runs {@code java -jar netctl.jar node run} inside its namespace; they share one
 * embedded datastore file. Pods are namespaces with a veth into their node, plumbed as Calico's CNI
 * plugin does, with an address from IPAM and a WorkloadEndpoint.
 */
final class Lab implements AutoCloseable {

  static final List<String> NODES = List.of("n1", "n2", "n3");
  static final Map<String, String> NODE_IP =
      Map.of("n1", "10.90.1.1", "n2", "10.90.1.2", "n3", "10.90.2.3");

  final String p = "t" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
  final Path dir;
  final Path jar;
  final String java;
  private final List<String> namespaces = new ArrayList<>();
  private final Thread cleanup =
      new Thread(
          () -> {
            try {
              tearDown();
            } catch (Exception e) {
              // exiting anyway: what could not be removed is named by the next run's leftovers
            }
          },
          "lab-cleanup");
  private boolean tornDown;
  private final Map<String, Process> agents = new LinkedHashMap<>();
  private Path storeFile;
  private Datastore store;
  private int generation;

  Lab(Path dir) {
    this.dir = dir;
    this.jar = Path.of("target/netctl.jar").toAbsolutePath();
    this.java = ProcessHandle.current().info().command().orElse("java");
    build();
  }

  String ns(String name) {
    return p + name;
  }

  private void netns(String name) {
    if (namespaces.isEmpty()) Runtime.getRuntime().addShutdownHook(cleanup);
    Sh.check("ip", "netns", "add", ns(name));
    namespaces.add(ns(name));
    Sh.check("ip", "-n", ns(name), "link", "set", "lo", "up");
  }

  private void build() {
    netns("ul");
    for (String br : List.of("a", "b", "x")) {
      Sh.script(
          "ip -n %1$s link add br%2$s type bridge && ip -n %1$s link set br%2$s up"
              .formatted(ns("ul"), br));
    }
    netns("rt");
    attach("rt", "a", "ea", "10.90.1.254/24");
    attach("rt", "b", "eb", "10.90.2.254/24");
    attach("rt", "x", "ex", "10.90.3.254/24");
    Sh.check("ip", "netns", "exec", ns("rt"), "sysctl", "-qw", "net.ipv4.ip_forward=1");
    attachNode("n1", "a", "10.90.1.1/24", "10.90.1.254");
    attachNode("n2", "a", "10.90.1.2/24", "10.90.1.254");
    attachNode("n3", "b", "10.90.2.3/24", "10.90.2.254");
    attachNode("ext", "x", "10.90.3.1/24", "10.90.3.254");
  }

  private void attachNode(String name, String bridge, String addr, String gw) {
    netns(name);
    attach(name, bridge, "eth0", addr);
    Sh.check("ip", "-n", ns(name), "route", "add", "default", "via", gw);
  }

  private void attach(String name, String bridge, String ifname, String addr) {
    String ulSide = p + name.substring(0, Math.min(3, name.length())) + ifname;
    Sh.script(
        ("ip -n %1$s link add %2$s type veth peer name %3$s netns %4$s && "
                + "ip -n %1$s link set %2$s master br%5$s up && "
                + "ip -n %4$s addr add %6$s dev %3$s && ip -n %4$s link set %3$s up")
            .formatted(ns("ul"), ulSide, ifname, ns(name), bridge, addr));
  }

  /** A fresh, empty datastore for the next scenario. */
  Datastore freshStore() {
    if (store != null) store.close();
    storeFile = dir.resolve("store-" + ++generation + ".db");
    store = Datastores.open("embedded:" + storeFile, null);
    return store;
  }

  ResourceClient client() {
    return new ResourceClient(store);
  }

  String storeSpec() {
    return etcdSpec != null ? etcdSpec : "embedded:" + storeFile;
  }

  private String etcdSpec;
  private Process etcd;

  /**
   * Starts etcd inside the underlay namespace (on 10.90.1.100, subnet A) and makes it the datastore
   * of what follows. The test process cannot reach it (no link into the root namespace): setup then
   * goes through the CLI run inside that namespace, as an operator on the underlay would.
   */
  void useEtcdInUnderlay() throws Exception {
    Sh.script(
        "ip -n %1$s addr add 10.90.1.100/24 dev bra && ip -n %1$s route add default via 10.90.1.254"
            .formatted(ns("ul")));
    Path data = dir.resolve("etcd-data");
    etcd =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                ns("ul"),
                "etcd",
                "--name",
                "e2e",
                "--data-dir",
                data.toString(),
                "--listen-client-urls",
                "http://10.90.1.100:2379",
                "--advertise-client-urls",
                "http://10.90.1.100:2379",
                "--listen-peer-urls",
                "http://10.90.1.100:2380",
                "--initial-advertise-peer-urls",
                "http://10.90.1.100:2380",
                "--initial-cluster",
                "e2e=http://10.90.1.100:2380")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("etcd.log").toFile())
            .start();
    etcdSpec = "etcd:http://10.90.1.100:2379";
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () ->
                in(
                        "ul",
                        10,
                        "etcdctl",
                        "--endpoints",
                        "http://10.90.1.100:2379",
                        "endpoint",
                        "health")
                    .ok());
    if (store != null) store.close();
    store = null;
  }

  /** Runs {@code netctl} against the datastore from inside the underlay namespace. */
  String cli(String stdin, String... args) throws Exception {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "ip",
                "netns",
                "exec",
                ns("ul"),
                java,
                "--sun-misc-unsafe-memory-access=allow",
                "-jar",
                jar.toString(),
                "--datastore",
                storeSpec()));
    argv.addAll(List.of(args));
    Path err = dir.resolve("cli.err");
    Process proc = new ProcessBuilder(argv).redirectError(err.toFile()).start();
    try (var in = proc.getOutputStream()) {
      if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!proc.waitFor(60, TimeUnit.SECONDS) || proc.exitValue() != 0) {
      throw new IllegalStateException(
          "netctl " + String.join(" ", args) + ": " + out + Files.readString(err));
    }
    return out;
  }

  /** Starts {@code node}'s agent in its namespace. */
  Process startAgent(String node) throws IOException {
    Path log = dir.resolve(node + "-" + generation + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
            "ip",
            "netns",
            "exec",
            ns(node),
            java,
            "--sun-misc-unsafe-memory-access=allow",
            "-jar",
            jar.toString(),
            "--datastore",
            storeSpec(),
            "node",
            "run",
            "--name",
            node,
            "--resync-interval",
            "30",
            "--cni-socket",
            dir.resolve(node + "-cni.sock").toString());
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process proc = pb.start();
    agents.put(node, proc);
    return proc;
  }

  /** Starts the agents and waits until each has registered its Node with its address. */
  void startAgents(List<String> nodes) throws IOException {
    for (String n : nodes) startAgent(n);
    if (etcdSpec != null) {
      // A CLI that cannot connect within its 3 s while the agents' JVMs start (a loaded machine)
      // is asked again, within the same bound.
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .ignoreException(IllegalStateException.class)
          .until(
              () ->
                  cli(null, "get", "nodes", "-o", "wide")
                          .lines()
                          .filter(l -> l.contains("10.90."))
                          .count()
                      == nodes.size());
      return;
    }
    ResourceClient c = client();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                nodes.stream()
                    .allMatch(
                        n ->
                            c.find(dev.netctl.datastore.model.Kind.NODE, n)
                                .map(
                                    x ->
                                        x.spec().bgp() != null
                                            && x.spec().bgp().ipv4Address() != null)
                                .orElse(false)));
  }

  /** Each node's blocks, from the datastore: node → CIDRs. */
  Map<String, List<String>> blocks() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (var b : new dev.netctl.ipam.store.IpamStore(store).blocks()) {
      String n = b.value().affinityNode();
      if (n != null) m.computeIfAbsent(n, k -> new ArrayList<>()).add(b.value().cidr());
    }
    return m;
  }

  /** SIGTERM (or SIGKILL) the node's agent and wait for it. */
  void stopAgent(String node, boolean kill) throws InterruptedException {
    Process proc = agents.remove(node);
    if (proc == null) return;
    // `ip netns exec` execs the JVM: the process is the agent itself.
    if (kill) proc.destroyForcibly();
    else proc.destroy();
    if (!proc.waitFor(20, TimeUnit.SECONDS)) proc.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
  }

  void stopAgents() throws InterruptedException {
    for (String n : new ArrayList<>(agents.keySet())) stopAgent(n, false);
  }

  /** The last {@code lines} lines of a node's agent log, headed by its name. */
  String tail(String node, int lines) {
    List<String> all = log(node).lines().toList();
    return "\n--- "
        + node
        + " log (last "
        + lines
        + " lines)\n"
        + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  String log(String node) {
    try {
      return Files.readString(dir.resolve(node + "-" + generation + ".log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /**
   * A pod on {@code node}: a namespace with {@code eth0} /32 from IPAM, gateway 169.254.1.1 through
   * proxy ARP on the host side {@code cali*} veth, and its WorkloadEndpoint.
   *
   * @return the pod's address
   */
  String pod(String node, String name, String... pools) throws Exception {
    String handle = "k8s-pod-network." + p + name;
    String ip;
    if (etcdSpec != null) {
      ip = cli(null, "ipam", "assign", "--node", node, "--handle", handle, "--ipv4", "1").strip();
    } else {
      IpamAllocator ipam = new IpamAllocator(store, new ResourceEnvironment(client()));
      var r =
          ipam.autoAssign(
              new AssignRequest(node, handle, 1, 0, name, "default", null, List.of(pools)));
      ip = dev.netctl.datastore.model.Cidr.format(r.ipv4().getFirst().address());
    }
    String host =
        "cali"
            + HexFormat.of()
                .formatHex(
                    MessageDigest.getInstance("SHA-1")
                        .digest((p + name).getBytes(StandardCharsets.UTF_8)))
                .substring(0, 11);
    netns(name);
    Sh.script(
        ("ip -n %1$s link add %2$s type veth peer name eth0 netns %3$s && "
                + "ip -n %1$s link set %2$s address ee:ee:ee:ee:ee:ee up && "
                + "ip netns exec %1$s sysctl -qw net.ipv4.conf.%2$s.proxy_arp=1 && "
                + "ip -n %3$s addr add %4$s/32 dev eth0 && ip -n %3$s link set eth0 up && "
                + "ip -n %3$s route add 169.254.1.1 dev eth0 scope link && "
                + "ip -n %3$s route add default via 169.254.1.1")
            .formatted(ns(node), host, ns(name), ip));
    WorkloadEndpoint wep =
        new WorkloadEndpoint(
            ObjectMeta.namespaced("default", node + "-k8s-" + name + "-eth0", Map.of("app", name)),
            new WorkloadEndpointSpec(
                "k8s",
                null,
                node,
                p + name,
                name,
                "eth0",
                null,
                List.of(ip + "/32"),
                "169.254.1.1",
                null,
                List.of("kns.default"),
                host,
                null,
                null));
    if (etcdSpec != null) {
      cli(new dev.netctl.datastore.model.ResourceCodec().toYaml(wep), "apply", "-f", "-");
    } else {
      client().create(wep);
    }
    return ip;
  }

  /**
   * Assigns addresses on {@code node} from the named pools without a pod, as a workload would get
   * them: the node claims (and the agent originates) the blocks they come from.
   *
   * @return the CIDRs of the blocks the addresses came from
   */
  List<String> assign(String node, String handle, int v4, int v6, String... pools) {
    IpamAllocator ipam = new IpamAllocator(store, new ResourceEnvironment(client()));
    var r =
        ipam.autoAssign(
            new AssignRequest(node, p + handle, v4, v6, null, null, null, List.of(pools)));
    List<String> blocks = new ArrayList<>();
    for (var a : r.ipv4()) blocks.add(blockOf(node, a.address()));
    for (var a : r.ipv6()) blocks.add(blockOf(node, a.address()));
    return blocks;
  }

  private String blockOf(String node, java.net.InetAddress a) {
    for (String b : blocks().getOrDefault(node, List.of())) {
      if (dev.netctl.datastore.model.Cidr.parse(b).contains(a)) return b;
    }
    throw new IllegalStateException(a + " is in no block of " + node);
  }

  /** Deletes the pod namespaces (their veths go with them). */
  void deletePods(List<String> names) {
    for (String n : names) {
      Sh.run(10, "ip", "netns", "del", ns(n));
      namespaces.remove(ns(n));
    }
  }

  /** Runs a command inside {@code name}'s namespace. */
  Sh.Result in(String name, int timeoutSeconds, String... argv) {
    String[] full = new String[argv.length + 4];
    full[0] = "ip";
    full[1] = "netns";
    full[2] = "exec";
    full[3] = ns(name);
    System.arraycopy(argv, 0, full, 4, argv.length);
    return Sh.run(timeoutSeconds, full);
  }

  /** Whether {@code from} reaches {@code ip}: two echo requests, a second apart at most. */
  boolean ping(String from, String ip) {
    return in(from, 10, "ping", "-c", "2", "-i", "0.2", "-W", "1", ip).ok();
  }

  /** The routes the agent owns in a node (ip -j output). */
  String ownedRoutes(String node) {
    return in(node, 10, "ip", "route", "show", "proto", "86").out();
  }

  @Override
  public void close() throws Exception {
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // the JVM is exiting: the hook is running this very cleanup
    }
    tearDown();
  }

  /**
   * Stops the agents and etcd and deletes the namespaces, once. Also a shutdown hook: a run killed
   * at its time limit (SIGTERM) never reaches the test's cleanup, and would leave agents running in
   * namespaces nobody deletes.
   */
  private synchronized void tearDown() throws Exception {
    if (tornDown) return;
    tornDown = true;
    stopAgents();
    if (etcd != null) {
      etcd.destroy();
      etcd.waitFor(10, TimeUnit.SECONDS);
    }
    if (store != null) store.close();
    for (String n : namespaces.reversed()) Sh.run(10, "ip", "netns", "del", n);
  }
}
