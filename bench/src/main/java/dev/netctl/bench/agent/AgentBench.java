package dev.netctl.bench.agent;

import dev.netctl.agent.exec.Exec;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.Write;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.EncapsulationMode;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.IPPoolSpec;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.model.NodeBGPSpec;
import dev.netctl.datastore.model.NodeSpec;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.store.IpamStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node agent's benchmark, run as a user runs the agent: {@code ./netctl node run} with its own
 * defaults, inside a network namespace this harness creates (a veth pair as the parent interface,
 * no link to the root namespace), on an embedded datastore file that holds a cluster of N remote
 * nodes owning B blocks in a VXLAN pool.
 *
 * <ol>
 *   <li>Cold start: from the agent's in-sync to every route in the kernel (the agent's own "first
 *       apply" line), against {@code ip -batch} of the very same routes in a fresh namespace.
 *   <li>One block change → its kernel route: a new remote block written to the datastore, timed
 *       until {@code ip monitor route} shows its route; p50/p99 over R changes.
 *   <li>Restart with B routes: SIGTERM, start again; time to the first apply, and the routes
 *       deleted meanwhile (must be 0).
 *   <li>The agent's peak RSS with B routes.
 * </ol>
 *
 * Usage: {@code bench/agent-bench [--blocks 10000] [--nodes 100] [--changes 200]}. Its namespaces,
 * processes and files go when it ends, also when it is stopped with SIGTERM or ^C; a failed run
 * keeps its files (the agent's logs) and says where.
 */
public final class AgentBench {

  // Far above any command's time here (the anchor's ip -batch of 10,000 routes takes < 1 s).
  private static final Duration COMMAND_LIMIT = Duration.ofSeconds(120);

  private static final Pattern FIRST_APPLY =
      Pattern.compile(
          "first apply: (\\d+) routes, (\\d+) VTEPs in (\\d+) ms \\((\\d+) ms after start[;)]");

  private final int blocks;
  private final int nodes;
  private final int changes;
  private final String ns =
      "nb" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
  private final Path dir;
  private final Path launcher;
  private Datastore store;

  AgentBench(int blocks, int nodes, int changes) throws IOException {
    this.blocks = blocks;
    this.nodes = nodes;
    this.changes = changes;
    this.dir = Files.createTempDirectory("netctl-agent-bench-");
    this.launcher = Path.of("netctl").toAbsolutePath();
  }

  public static void main(String[] args) throws Exception {
    int blocks = 10_000;
    int nodes = 100;
    int changes = 200;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--blocks" -> blocks = Integer.parseInt(args[++i]);
        case "--nodes" -> nodes = Integer.parseInt(args[++i]);
        case "--changes" -> changes = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    AgentBench b = new AgentBench(blocks, nodes, changes);
    // SIGTERM and ^C run shutdown hooks but no finally block: the hook cleans up then.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> b.cleanup(false), "agent-bench-cleanup"));
    boolean ok = false;
    try {
      b.run();
      ok = true;
    } finally {
      b.cleanup(!ok);
    }
  }

  /** Runs a short command through the agent's own runner (bounded, both streams drained). */
  private static String sh(String... argv) {
    Exec.Result r = Exec.run(COMMAND_LIMIT, List.of(argv));
    if (!r.ok()) {
      throw new IllegalStateException(
          String.join(" ", argv) + ": " + (r.completed() ? r.output() : r.abort()));
    }
    return r.stdout();
  }

  private void netns(String name, String addr) throws Exception {
    sh("ip", "netns", "add", name);
    sh("ip", "-n", name, "link", "set", "lo", "up");
    sh("ip", "-n", name, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p");
    sh("ip", "-n", name, "addr", "add", addr, "dev", "eth0");
    sh("ip", "-n", name, "link", "set", "eth0", "up");
    sh("ip", "-n", name, "link", "set", "eth0p", "up");
  }

  private void populate() throws Exception {
    store = Datastores.open("embedded:" + dir.resolve("store.db"), null);
    ResourceClient c = new ResourceClient(store);
    c.create(
        new IPPool(
            ObjectMeta.named("bench"),
            new IPPoolSpec(
                "10.0.0.0/8",
                26,
                EncapsulationMode.NEVER,
                EncapsulationMode.ALWAYS,
                false,
                false,
                false,
                null,
                null,
                null)));
    List<Write> writes = new ArrayList<>();
    for (int n = 0; n < nodes; n++) {
      // remote nodes: 10.80.<n/250+1>.<n%250+2>/16, tunnel address in their first block
      String ip = "10.80." + (n / 250 + 1) + "." + (n % 250 + 2);
      c.create(
          new Node(
              ObjectMeta.named("r" + n),
              new NodeSpec(
                  new NodeBGPSpec(ip + "/16", null, null, null),
                  "10." + (n / 64 + 1) + "." + ((n % 64) * 4) + ".1",
                  String.format("66:00:00:00:%02x:%02x", n >> 8, n & 0xff),
                  null,
                  null)));
    }
    for (int i = 0; i < blocks; i++) {
      Cidr cidr = block(i);
      String owner = "r" + (i % nodes);
      writes.add(
          new Write.Create(
              IpamStore.blockKey(cidr), IpamStore.encode(Block.empty(cidr, owner).toRecord())));
      if (writes.size() == store.maxOpsPerCommit()) {
        store.commit(writes).get();
        writes.clear();
      }
    }
    if (!writes.isEmpty()) store.commit(writes).get();
  }

  /** The i-th /26 of 10.0.0.0/8, starting at 10.1.0.0. */
  private static Cidr block(int i) {
    long base = (10L << 24) + (1L << 16) + 64L * i;
    return Cidr.parse(
        ((base >> 24) & 255)
            + "."
            + ((base >> 16) & 255)
            + "."
            + ((base >> 8) & 255)
            + "."
            + (base & 255)
            + "/26");
  }

  // Every process the bench started (agents, ip monitor), so that cleanup stops them whatever
  // failed.
  private final List<Process> processes = new CopyOnWriteArrayList<>();
  private boolean cleanedUp;

  private Process start(ProcessBuilder pb) throws IOException {
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private Process startAgent(Path log) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(
            "ip",
            "netns",
            "exec",
            ns,
            launcher.toString(),
            "--datastore",
            "embedded:" + dir.resolve("store.db"),
            "node",
            "run",
            "--name",
            "bench",
            "--ip",
            "10.80.0.1/16",
            "--ip6",
            "none");
    pb.environment().put("NETCTL_NO_BUILD", "1");
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return start(pb);
  }

  private static Matcher awaitLog(Path log, Pattern p, long timeoutMs) throws Exception {
    long end = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < end) {
      Matcher m = p.matcher(Files.readString(log));
      if (m.find()) return m;
      Thread.sleep(50);
    }
    throw new IllegalStateException(
        "timed out waiting for " + p + " in " + log + ":\n" + Files.readString(log));
  }

  private int ownedRoutes() throws Exception {
    return (int) sh("ip", "-n", ns, "route", "show", "proto", "86").lines().count();
  }

  void run() throws Exception {
    System.out.printf(
        "agent bench: %d remote blocks on %d nodes, %d single-block changes (namespace %s, files"
            + " in %s)%n",
        blocks, nodes, changes, ns, dir);
    System.out.flush();
    netns(ns, "10.80.0.1/16");
    populate();

    // 1. cold start
    Path log1 = dir.resolve("agent-1.log");
    Process agent = startAgent(log1);
    Matcher first = awaitLog(log1, FIRST_APPLY, 300_000);
    int routes = Integer.parseInt(first.group(1));
    long applyMs = Long.parseLong(first.group(3));
    long sinceStart = Long.parseLong(first.group(4));
    String dump = sh("ip", "-n", ns, "route", "show", "proto", "86");
    long rss = vmHwmKb(agent.pid());

    String fresh = ns + "x";
    netns(fresh, "10.80.0.1/16");
    sh(
        "ip",
        "-n",
        fresh,
        "link",
        "add",
        "vxlan.calico",
        "type",
        "vxlan",
        "id",
        "4096",
        "local",
        "10.80.0.1",
        "dev",
        "eth0",
        "dstport",
        "4789",
        "nolearning");
    sh("ip", "-n", fresh, "link", "set", "vxlan.calico", "up");
    StringBuilder batch = new StringBuilder();
    for (String line : dump.lines().toList()) batch.append("route add ").append(line).append('\n');
    Path batchFile = dir.resolve("routes.batch");
    Files.writeString(batchFile, batch);
    long t0 = System.nanoTime();
    sh("ip", "-n", fresh, "-batch", batchFile.toString());
    long ipBatchMs = (System.nanoTime() - t0) / 1_000_000;
    sh("ip", "netns", "del", fresh);

    // 2. one block change -> kernel route
    long[] lat = changeLatencies();
    Arrays.sort(lat);
    rss = Math.max(rss, vmHwmKb(agent.pid()));

    // 3. restart: SIGTERM, start again, count deletions meanwhile
    Matcher second;
    long deleted;
    int before;
    try (RouteMonitor monitor = new RouteMonitor()) {
      agent.destroy();
      agent.waitFor(30, TimeUnit.SECONDS);
      before = ownedRoutes();
      Path log2 = dir.resolve("agent-2.log");
      agent = startAgent(log2);
      second = awaitLog(log2, FIRST_APPLY, 300_000);
      // Every deletion of the reconciling first apply is reported before the mark that follows it.
      monitor.sync();
      deleted = monitor.deleted();
    }
    int after = ownedRoutes();
    agent.destroy();
    agent.waitFor(30, TimeUnit.SECONDS);

    System.out.printf("%n| measure | netctl | anchor | ratio |%n|---|---|---|---|%n");
    System.out.printf(
        "| cold start: in-sync → %d routes in the kernel | %d ms | `ip -batch` of the same routes: %d ms | %.2f× |%n",
        routes, applyMs, ipBatchMs, ipBatchMs == 0 ? Double.NaN : (double) applyMs / ipBatchMs);
    System.out.printf(
        "| agent start → first apply done (JVM start, list, apply) | %d ms | | |%n", sinceStart);
    System.out.printf(
        "| one block change → kernel route, p50 / p99 (%d changes) | %.1f / %.1f ms | | |%n",
        lat.length,
        lat[lat.length / 2] / 1e6,
        lat[(int) Math.min(lat.length - 1, Math.ceil(lat.length * 0.99) - 1)] / 1e6);
    System.out.printf(
        "| restart with %d routes: start → reconciled | %s ms, %d routes deleted (%d before, %d after) | | |%n",
        before, second.group(4), deleted, before, after);
    System.out.printf(
        "| agent peak RSS at %d routes (launcher defaults) | %.1f MiB | goal 150 MB | |%n",
        routes, rss / 1024.0);
  }

  /**
   * Writes {@code changes} new remote blocks one at a time and times each until its route shows.
   */
  private long[] changeLatencies() throws Exception {
    try (RouteMonitor mon = new RouteMonitor()) {
      return changeLatencies(mon.added);
    }
  }

  private long[] changeLatencies(Map<String, Long> seen) throws Exception {
    long[] out = new long[changes];
    for (int i = 0; i < changes; i++) {
      Cidr cidr = block(blocks + i);
      long t0 = System.nanoTime();
      store
          .create(
              IpamStore.blockKey(cidr),
              IpamStore.encode(Block.empty(cidr, "r" + (i % nodes)).toRecord()))
          .get();
      long end = System.currentTimeMillis() + 10_000;
      while (!seen.containsKey(cidr.toString()) && System.currentTimeMillis() < end)
        Thread.onSpinWait();
      Long t = seen.get(cidr.toString());
      if (t == null) throw new IllegalStateException("route for " + cidr + " never appeared");
      out[i] = t - t0;
      Thread.sleep(20);
    }
    return out;
  }

  /**
   * {@code ip monitor route} in the namespace, read as it prints: when each route was first
   * reported, and the deletions. Ready once it has reported a mark route of the bench's own (no
   * guess of how long its subscription takes), and {@link #sync()} again is a barrier: what the
   * kernel did before the mark has been read once the mark is.
   */
  private final class RouteMonitor implements AutoCloseable {
    // TEST-NET-1 (RFC 5737), never a bench route; not the agent's (no proto 86), so not touched.
    private static final String MARK = "192.0.2.1";
    final Map<String, Long> added = new ConcurrentHashMap<>();
    private final List<String> deletions = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger marks =
        new java.util.concurrent.atomic.AtomicInteger();
    private final Process process;
    private final Thread reader;

    RouteMonitor() throws Exception {
      process =
          start(new ProcessBuilder("ip", "-n", ns, "monitor", "route").redirectErrorStream(true));
      reader = Thread.ofPlatform().daemon().name("ip-monitor-" + ns).start(this::read);
      sync();
    }

    private void read() {
      try (BufferedReader r =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          String[] f = line.split(" ");
          if (f[0].equals("Deleted")) {
            if (f.length > 1 && !f[1].equals(MARK)) deletions.add(line);
          } else if (f[0].equals(MARK)) {
            marks.incrementAndGet();
          } else if (!f[0].isEmpty()) {
            added.putIfAbsent(f[0], System.nanoTime());
          }
        }
      } catch (IOException e) {
        // the monitor ended
      }
    }

    /** Adds the mark route until it is reported (at most 50 tries of 200 ms), then removes it. */
    void sync() throws InterruptedException {
      int before = marks.get();
      for (int attempt = 0; attempt < 50; attempt++) {
        sh("ip", "-n", ns, "route", "add", MARK, "dev", "eth0");
        long end = System.nanoTime() + 200_000_000L;
        while (marks.get() == before && System.nanoTime() < end) Thread.sleep(1);
        sh("ip", "-n", ns, "route", "del", MARK, "dev", "eth0");
        if (marks.get() > before) return;
      }
      throw new IllegalStateException("ip monitor route in " + ns + " reported nothing in 10 s");
    }

    /** Routes reported deleted so far, the mark's own deletions left out. */
    long deleted() {
      return deletions.size();
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      reader.join(2000);
    }
  }

  private static long vmHwmKb(long pid) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
    }
    return 0;
  }

  /**
   * Stops every process the bench started (SIGTERM, as a user stops the agent; killed after 20 s),
   * deletes its namespaces and its files, unless {@code keepFiles}. Once: the end of the run and
   * the shutdown hook both call it.
   */
  synchronized void cleanup(boolean keepFiles) {
    if (cleanedUp) return;
    cleanedUp = true;
    try {
      for (Process p : processes) p.destroy();
      for (Process p : processes) {
        if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      if (store != null) store.close();
      for (String n : List.of(ns, ns + "x")) {
        Exec.run(Duration.ofSeconds(10), List.of("ip", "netns", "del", n));
      }
      if (keepFiles) {
        System.err.println("agent bench: files kept in " + dir);
      } else {
        try (var walk = Files.walk(dir)) {
          for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
      }
    } catch (Exception e) {
      System.err.println("cleanup: " + e);
    }
  }
}
