package dev.netctl.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netctl.agent.cni.CniInstaller;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The demo's real cluster: three nodes in network namespaces — two in subnet A, one in subnet B
 * behind a router — each running {@code netctl node run}, pods started through the installed CNI
 * plugin, and a ping matrix between every pair of pods. Nothing links into the root namespace.
 *
 * <pre>
 *   ndemo-underlay: bridges a and b    ndemo-router: 10.89.1.254 (a), 10.89.2.254 (b)
 *   ndemo-node-1: 10.89.1.1/24 (a)     ndemo-node-2: 10.89.1.2/24 (a)    ndemo-node-3: 10.89.2.3/24 (b)
 * </pre>
 */
final class NetnsDemo implements AutoCloseable {

  static final String PREFIX = "ndemo-";
  static final List<String> NODES = List.of("node-1", "node-2", "node-3");
  private static final Map<String, String[]> NODE_NET =
      Map.of(
          "node-1", new String[] {"a", "10.89.1.1/24", "10.89.1.254"},
          "node-2", new String[] {"a", "10.89.1.2/24", "10.89.1.254"},
          "node-3", new String[] {"b", "10.89.2.3/24", "10.89.2.254"});
  static final int PODS_PER_NODE = 2;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintWriter out;
  private final String datastoreSpec;
  private final Path dir;
  private final String java;
  private final String classPath;
  private final List<String> namespaces = new ArrayList<>();
  private final Map<String, Process> agents = new LinkedHashMap<>();

  /** A pod the demo started: its node, name, namespace, container id and address. */
  record Pod(String node, String name, String netns, String containerId, String ip) {}

  NetnsDemo(PrintWriter out, String datastoreSpec) throws IOException {
    this.out = out;
    this.datastoreSpec = datastoreSpec;
    this.dir = Files.createTempDirectory("netctl-demo-");
    this.java = CniInstaller.currentJava().toString();
    this.classPath = System.getProperty("java.class.path");
  }

  /** Why this machine cannot run the namespace demo, or null when it can. */
  static String unavailableBecause() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "network namespaces need root";
    }
    for (String tool : List.of("ip", "ping")) {
      if (List.of("/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/").stream()
          .noneMatch(d -> Files.isExecutable(Path.of(d + tool)))) {
        return tool + " is not installed";
      }
    }
    return null;
  }

  static String ns(String name) {
    return PREFIX + name;
  }

  /** Removes whatever a kept earlier demo left (its namespaces). */
  static void removeLeftovers() {
    String list = Exec.run(10, null, "ip", "netns", "list").out();
    for (String line : list.lines().toList()) {
      String name = line.split(" ")[0];
      if (name.startsWith(PREFIX)) Exec.run(10, null, "ip", "netns", "del", name);
    }
  }

  private void netns(String name) {
    Exec.check(null, "ip", "netns", "add", ns(name));
    namespaces.add(ns(name));
    Exec.check(null, "ip", "-n", ns(name), "link", "set", "lo", "up");
  }

  /** Builds the underlay, the router and the node namespaces. */
  void buildTopology() {
    netns("underlay");
    for (String br : List.of("a", "b")) {
      Exec.check(null, "ip", "-n", ns("underlay"), "link", "add", "br" + br, "type", "bridge");
      Exec.check(null, "ip", "-n", ns("underlay"), "link", "set", "br" + br, "up");
    }
    netns("router");
    attach("router", "a", "eth-a", "10.89.1.254/24");
    attach("router", "b", "eth-b", "10.89.2.254/24");
    Exec.check(null, "ip", "netns", "exec", ns("router"), "sysctl", "-qw", "net.ipv4.ip_forward=1");
    for (String n : NODES) {
      String[] net = NODE_NET.get(n);
      netns(n);
      attach(n, net[0], "eth0", net[1]);
      Exec.check(null, "ip", "-n", ns(n), "route", "add", "default", "via", net[2]);
    }
    out.println(
        "underlay: subnet A 10.89.1.0/24 (node-1, node-2), subnet B 10.89.2.0/24 (node-3),");
    out.println("          joined by a router namespace; namespaces " + PREFIX + "*");
  }

  private void attach(String name, String bridge, String ifname, String addr) {
    String ul =
        "nd" + name.replace("node-", "n").replace("router", "r") + ifname.replace("eth", "");
    Exec.check(
        null,
        "ip",
        "-n",
        ns("underlay"),
        "link",
        "add",
        ul,
        "type",
        "veth",
        "peer",
        "name",
        ifname,
        "netns",
        ns(name));
    Exec.check(null, "ip", "-n", ns("underlay"), "link", "set", ul, "master", "br" + bridge, "up");
    Exec.check(null, "ip", "-n", ns(name), "addr", "add", addr, "dev", ifname);
    Exec.check(null, "ip", "-n", ns(name), "link", "set", ifname, "up");
  }

  Path socket(String node) {
    return dir.resolve(node + "-cni.sock");
  }

  /** Starts {@code netctl node run} in every node namespace. */
  void startAgents() throws IOException {
    for (String n : NODES) {
      ProcessBuilder pb =
          new ProcessBuilder(
              "ip",
              "netns",
              "exec",
              ns(n),
              java,
              "--sun-misc-unsafe-memory-access=allow",
              // -cp has no manifest: what the jar's manifest grants, by hand (the agent's
              // rtnetlink socket is a foreign-function call; java.nio for Netty's own buffers).
              "--enable-native-access=ALL-UNNAMED",
              "--add-opens=java.base/java.nio=ALL-UNNAMED",
              "-cp",
              classPath,
              Netctl.class.getName(),
              "--datastore",
              datastoreSpec,
              "node",
              "run",
              "--name",
              n,
              "--cni-socket",
              socket(n).toString());
      pb.redirectErrorStream(true).redirectOutput(dir.resolve(n + ".log").toFile());
      agents.put(n, pb.start());
    }
  }

  String log(String node) {
    try {
      return Files.readString(dir.resolve(node + ".log"));
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Installs the CNI plugin into the demo's bin directory and returns each node's network config.
   */
  Map<String, String> installCni() throws IOException {
    Path bin = dir.resolve("cni/bin");
    Path conf = dir.resolve("cni/net.d");
    CniInstaller.install(
        new CniInstaller.Options(
            bin, conf, null, socket(NODES.getFirst()).toString(), 0, Path.of(java)));
    JsonNode list = JSON.readTree(Files.readString(conf.resolve(CniInstaller.CONFLIST)));
    Map<String, String> configs = new LinkedHashMap<>();
    for (String n : NODES) {
      // What a runtime hands the first plugin of the list: the list's name and version with it.
      ObjectNode c = ((ObjectNode) list.path("plugins").get(0)).deepCopy();
      c.put("cniVersion", list.path("cniVersion").asText());
      c.put("name", list.path("name").asText());
      c.put("agent_socket", socket(n).toString());
      configs.put(n, JSON.writeValueAsString(c));
    }
    out.println(
        "installed the CNI plugin: "
            + bin.resolve("netctl")
            + ", "
            + bin.resolve("netctl-ipam")
            + " and "
            + conf.resolve(CniInstaller.CONFLIST));
    return configs;
  }

  /**
   * Starts every pod through the plugin at once (CNI ADD), retrying while an agent answers "try
   * again later" (code 11: not in sync yet).
   */
  List<Pod> startPods(Map<String, String> configs) throws Exception {
    List<Callable<Pod>> work = new ArrayList<>();
    for (String n : NODES) {
      for (int i = 0; i < PODS_PER_NODE; i++) {
        String name = "web-" + n.substring(n.length() - 1) + (char) ('a' + i);
        netns(name);
        String id =
            "demo"
                + Integer.toHexString(name.hashCode())
                + Long.toHexString(System.nanoTime() & 0xffffff);
        work.add(() -> add(n, name, id, configs.get(n)));
      }
    }
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    try {
      List<Pod> pods = new ArrayList<>();
      for (Future<Pod> f : pool.invokeAll(work)) pods.add(f.get());
      return pods;
    } finally {
      pool.shutdown();
    }
  }

  private Pod add(String node, String name, String id, String config) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      Exec.Result r = cni("ADD", node, name, id, config);
      JsonNode res = r.out().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.out());
      if (r.ok()) {
        String ip = res.path("ips").get(0).path("address").asText();
        return new Pod(node, name, ns(name), id, ip.substring(0, ip.indexOf('/')));
      }
      if (res.path("code").asInt() != 11 || System.nanoTime() > deadline) {
        throw new CliException(
            ExitCode.ERROR,
            "CNI ADD of pod " + name + " on " + node + " failed: " + r.out().strip());
      }
      Thread.sleep(250);
    }
  }

  private Exec.Result cni(String command, String node, String pod, String id, String config) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("CNI_COMMAND", command);
    env.put("CNI_CONTAINERID", id);
    env.put("CNI_NETNS", "/var/run/netns/" + ns(pod));
    env.put("CNI_IFNAME", "eth0");
    env.put("CNI_PATH", dir.resolve("cni/bin").toString());
    env.put("CNI_ARGS", "K8S_POD_NAMESPACE=demo;K8S_POD_NAME=" + pod);
    return Exec.withInput(60, env, config, dir.resolve("cni/bin/netctl").toString());
  }

  /** Releases every pod through CNI DEL (so the kept datastore holds no leaked address). */
  void deletePods(List<Pod> pods, Map<String, String> configs) {
    for (Pod p : pods) cni("DEL", p.node(), p.name(), p.containerId(), configs.get(p.node()));
  }

  /**
   * Pings every pod from every other pod, all at once, and prints the matrix.
   *
   * @return how many pairs did not reach each other
   */
  int pingMatrix(List<Pod> pods) throws Exception {
    List<Callable<Boolean>> work = new ArrayList<>();
    for (Pod from : pods) {
      for (Pod to : pods) {
        if (from == to) continue;
        // Up to three tries: the first packet to a new destination may wait for ARP and VTEPs.
        work.add(
            () -> {
              for (int i = 0; i < 3; i++) {
                if (Exec.run(
                        10,
                        null,
                        "ip",
                        "netns",
                        "exec",
                        from.netns(),
                        "ping",
                        "-c",
                        "1",
                        "-W",
                        "2",
                        to.ip())
                    .ok()) {
                  return true;
                }
              }
              return false;
            });
      }
    }
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    List<Future<Boolean>> results;
    try {
      results = pool.invokeAll(work);
    } finally {
      pool.shutdown();
    }
    List<String> headers = new ArrayList<>(List.of("FROM \\ TO"));
    for (Pod p : pods) headers.add(p.name());
    Table t = new Table(headers);
    int failed = 0;
    int k = 0;
    for (Pod from : pods) {
      List<String> row = new ArrayList<>(List.of(from.name() + " (" + from.ip() + ")"));
      for (Pod to : pods) {
        if (from == to) {
          row.add("-");
          continue;
        }
        boolean ok = results.get(k++).get();
        if (!ok) failed++;
        row.add(ok ? "ok" : "FAIL");
      }
      t.row(row);
    }
    t.print(out);
    return failed;
  }

  /**
   * {@code netctl node status} of one node once its agent says it is ready, or as it stands after
   * {@code seconds}. Pods reach each other as soon as the routes are in, which can be before every
   * BGP session of the mesh is established, and the agent is ready only when they all are: the
   * status printed right after the ping matrix would otherwise show a mesh still coming up.
   */
  String readyStatus(String node, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    String status = nodeStatus(node);
    while (!status.contains(" is ready") && System.nanoTime() < deadline) {
      Thread.sleep(250);
      status = nodeStatus(node);
    }
    return status;
  }

  /** {@code netctl node status} of one node, run inside its namespace. */
  String nodeStatus(String node) {
    return Exec.run(
            30,
            null,
            "ip",
            "netns",
            "exec",
            ns(node),
            java,
            "-cp",
            classPath,
            Netctl.class.getName(),
            "node",
            "status")
        .out();
  }

  void keep() {
    namespaces.clear();
    agents.clear();
    kept = true;
  }

  private boolean kept;

  Path dir() {
    return dir;
  }

  @Override
  public void close() {
    for (Process p : agents.values()) p.destroy();
    for (Process p : agents.values()) {
      try {
        if (!p.waitFor(15, TimeUnit.SECONDS)) p.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (String n : namespaces.reversed()) Exec.run(10, null, "ip", "netns", "del", n);
    if (!kept) {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        // a temp directory left behind is harmless
      }
    }
  }

  /** Runs commands with a time limit. */
  static final class Exec {
    record Result(int exit, String out) {
      boolean ok() {
        return exit == 0;
      }
    }

    static Result run(int timeoutSeconds, Map<String, String> env, String... argv) {
      return withInput(timeoutSeconds, env, null, argv);
    }

    static Result withInput(
        int timeoutSeconds, Map<String, String> env, String stdin, String... argv) {
      // stdout and stderr apart: a plugin prints its result (or error JSON) on stdout only.
      dev.netctl.agent.exec.Exec.Result r =
          dev.netctl.agent.exec.Exec.run(
              Duration.ofSeconds(timeoutSeconds),
              env == null ? Map.of() : env,
              stdin,
              List.of(argv));
      return r.completed() ? new Result(r.exit(), r.output()) : new Result(-1, r.abort());
    }

    static String check(Map<String, String> env, String... argv) {
      Result r = run(30, env, argv);
      if (!r.ok()) {
        throw new CliException(
            ExitCode.ERROR, String.join(" ", argv) + " failed: " + r.out().strip());
      }
      return r.out();
    }
  }
}
