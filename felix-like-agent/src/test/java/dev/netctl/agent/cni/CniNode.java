package dev.netctl.agent.cni;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.IPPoolSpec;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.NodeSpec;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.datastore.model.WorkloadEndpoint;
import dev.netctl.ipam.allocator.IpamAllocator;
import dev.netctl.ipam.allocator.ResourceEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A node for real CNI invocations: a network namespace that plays the node (the agent plumbs host
 * ends there and the "runtime" execs every plugin there), the CniServer in this JVM over a memory
 * datastore with one IPv4 and one IPv6 pool, and the plugin installed into a temp bin dir by {@link
 * CniInstaller}. Nothing links to the root namespace: the node's default route goes into a veth
 * pair whose both ends stay in the node namespace (proxy ARP only answers for a destination that is
 * routed through another interface).
 */
final class CniNode implements AutoCloseable {

  static final String NODE = "node-1";
  static final String POOL4 = "pool-v4";
  static final String POOL6 = "pool-v6";
  static final String CIDR4 = "10.77.0.0/24";
  static final String CIDR6 = "fd00:77::/120";
  static final String SPARE4 = "pool-v4-spare";
  static final String SPARE_CIDR4 = "10.78.0.0/24";

  /** One plugin run: exit code and stdout parsed (null when empty). */
  record Run(int exit, String stdout, String stderr) {
    Map<String, Object> json() {
      return stdout.isBlank() ? null : Json.parseObject(stdout.strip());
    }

    long code() {
      return (Long) json().get("code");
    }
  }

  final String prefix =
      "cni" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 5);
  final String nodeNs = prefix + "n";
  final Path nodeNetns = Path.of("/var/run/netns", nodeNs);
  private final Thread cleanup = new Thread(this::tearDown, "cni-node-cleanup");
  private boolean tornDown;
  final Path dir;
  final Path binDir;
  final Path confDir;
  final Path socket;
  final MemoryDatastore store = new MemoryDatastore();
  final ResourceClient client = new ResourceClient(store);
  final IpamAllocator ipam = new IpamAllocator(store, new ResourceEnvironment(client));
  final AtomicBoolean ready = new AtomicBoolean(true);
  final CniServer server;
  private final List<String> pods = new ArrayList<>();
  private int podCounter;

  /** Skips (or, under CI=true, fails) when this is not root with ip and nsenter. */
  static void assumeRoot() {
    boolean ok =
        "root".equals(System.getProperty("user.name"))
            && Files.isExecutable(Path.of("/usr/sbin/ip"))
            && Files.isExecutable(Path.of("/usr/bin/nsenter"));
    if (!ok && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CNI tests need root, /usr/sbin/ip and /usr/bin/nsenter");
    }
    assumeTrue(ok, "CNI tests need root, ip and nsenter: skipped");
  }

  CniNode() throws IOException {
    assumeRoot();
    dir = Files.createTempDirectory("netctl-cni");
    binDir = dir.resolve("bin");
    confDir = dir.resolve("net.d");
    socket = dir.resolve("run/cni.sock");
    Runtime.getRuntime().addShutdownHook(cleanup);
    sh("ip netns add " + nodeNs);
    try {
      sh(
          "ip -n "
              + nodeNs
              + " link set lo up && ip -n "
              + nodeNs
              + " link add up0 type veth peer name up1 && ip -n "
              + nodeNs
              + " link set up0 up && ip -n "
              + nodeNs
              + " link set up1 up && ip -n "
              + nodeNs
              + " addr add 10.255.255.1/32 dev up0 && ip -n "
              + nodeNs
              + " route add default dev up0 && ip -n "
              + nodeNs
              + " -6 route add default dev up0 && ip netns exec "
              + nodeNs
              + " sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1");
      client.create(new IPPool(ObjectMeta.named(POOL4), IPPoolSpec.of(CIDR4)));
      client.create(new IPPool(ObjectMeta.named(SPARE4), IPPoolSpec.of(SPARE_CIDR4)));
      client.create(new IPPool(ObjectMeta.named(POOL6), IPPoolSpec.of(CIDR6)));
      client.create(
          new dev.netctl.datastore.model.Node(ObjectMeta.named(NODE), NodeSpec.bgp(null)));
      CniInstaller.install(
          new CniInstaller.Options(
              binDir, confDir, NODE, socket.toString(), 0, CniInstaller.currentJava()));
      server =
          new CniServer(
              new CniService(
                  client,
                  ipam,
                  NODE,
                  () -> 1450,
                  ready::get,
                  PodInfo.NONE,
                  new PodPlumbing(nodeNetns)),
              socket);
    } catch (IOException | RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /** A fresh pod network namespace with lo up; removed on close. */
  String newPod() {
    String name = prefix + "p" + (podCounter++);
    sh("ip netns add " + name + " && ip -n " + name + " link set lo up");
    synchronized (pods) {
      pods.add(name);
    }
    return name;
  }

  void deletePod(String name) {
    sh("ip netns del " + name + " 2>/dev/null || true");
  }

  static String netnsPath(String name) {
    return "/var/run/netns/" + name;
  }

  /**
   * A network config for the netctl plugin (cniVersion 1.0.0 unless changed by {@code extra}, whose
   * entries replace or add top-level fields).
   */
  String conf(boolean v4, boolean v6, String extra) {
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"k8s-pod-network\",\"type\":\"netctl\",\"agent_socket\":\""
        + socket
        + "\",\"nodename\":\""
        + NODE
        + "\",\"ipam\":{\"type\":\"netctl-ipam\",\"assign_ipv4\":\""
        + v4
        + "\",\"assign_ipv6\":\""
        + v6
        + "\"}"
        + (extra == null || extra.isEmpty() ? "" : "," + extra)
        + "}";
  }

  /**
   * The runtime's exec of {@code plugin} (a name in our bin dir or a path) inside the node netns.
   */
  Run exec(String plugin, Map<String, String> env, String stdin) {
    String exe = plugin.contains("/") ? plugin : binDir.resolve(plugin).toString();
    ProcessBuilder pb = new ProcessBuilder("nsenter", "--net=" + nodeNetns, exe);
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      try (var in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      var out = p.getInputStream().readAllBytes();
      var err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(plugin + " did not finish in 60 s");
      }
      return new Run(
          p.exitValue(),
          new String(out, StandardCharsets.UTF_8),
          new String(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("exec " + exe, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** CNI env for one command on one pod. */
  static Map<String, String> env(String command, String containerId, String pod, String k8sPod) {
    Map<String, String> env = new HashMap<>();
    env.put("CNI_COMMAND", command);
    env.put("CNI_CONTAINERID", containerId);
    env.put("CNI_NETNS", netnsPath(pod));
    env.put("CNI_IFNAME", "eth0");
    env.put("CNI_PATH", "/usr/lib/cni");
    if (k8sPod != null) {
      env.put(
          "CNI_ARGS",
          "IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME="
              + k8sPod
              + ";K8S_POD_INFRA_CONTAINER_ID="
              + containerId);
    }
    return env;
  }

  /** Runs a shell command in the root namespace (only `ip netns`/`ip -n` on our own namespaces). */
  static String sh(String cmd) {
    try {
      Process p = new ProcessBuilder("sh", "-c", cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + cmd);
      }
      if (p.exitValue() != 0)
        throw new AssertionError("failed (" + p.exitValue() + "): " + cmd + "\n" + out);
      return out;
    } catch (IOException e) {
      throw new AssertionError(cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** In the node namespace. */
  String node(String cmd) {
    return sh("ip netns exec " + nodeNs + " sh -c '" + cmd + "'");
  }

  /** The IPAM handles the node's store holds. */
  List<String> handles() {
    return ipam.store().handles().stream().map(h -> h.value().handleID()).toList();
  }

  /** Every WorkloadEndpoint in the store. */
  List<WorkloadEndpoint> endpoints() {
    return client.list(Kind.WORKLOAD_ENDPOINT);
  }

  /** A list of objects in a plugin's JSON result, such as {@code ips} or {@code interfaces}. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Map<String, Object> m, String k) {
    return (List<Map<String, Object>>) m.get(k);
  }

  /** Host ends of pod veths in the node namespace. */
  List<String> caliLinks() {
    List<String> out = new ArrayList<>();
    for (String line : node("ip -o link show").split("\n")) {
      String[] f = line.split(": ", 3);
      if (f.length > 1 && f[1].startsWith("cali")) out.add(f[1].split("@")[0]);
    }
    return out;
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // the JVM is exiting: the hook is running this very cleanup
    }
    tearDown();
  }

  /**
   * Deletes the pods, the node namespace and the files, once. Also a shutdown hook: a run killed at
   * its time limit (SIGTERM) never reaches the test's cleanup and would leave its namespaces.
   */
  private synchronized void tearDown() {
    if (tornDown) return;
    tornDown = true;
    try {
      if (server != null) server.close();
    } catch (IOException e) {
      // best effort
    }
    List<String> all;
    synchronized (pods) {
      all = new ArrayList<>(pods);
    }
    for (String p : all) deletePod(p);
    sh("ip netns del " + nodeNs + " 2>/dev/null || true");
    store.close();
    sh("rm -rf '" + dir + "'");
  }
}
