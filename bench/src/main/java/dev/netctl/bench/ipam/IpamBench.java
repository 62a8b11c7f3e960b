package dev.netctl.bench.ipam;

import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import dev.netctl.ipam.allocator.AssignRequest;
import dev.netctl.ipam.allocator.IpamAllocator;
import dev.netctl.ipam.allocator.IpamEnvironment;
import dev.netctl.ipam.allocator.IpamSettings;
import dev.netctl.ipam.allocator.PoolSpec;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.block.Reservations;
import dev.netctl.ipam.store.IpamStore;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * IPAM against a real etcd: a burst of concurrent assigns on one fresh node and a spread over many
 * nodes, for the group-commit allocator and for a one-CAS-per-address baseline, next to the raw
 * sequential CAS rate of the same etcd. Prints a table. Run by hand, never as a test: timings
 * belong here, not in assertions.
 *
 * <p>Run: {@code ./mvnw -B -q -pl bench -am package -DskipTests && $(ls -d /usr/lib/jvm/*25* | head
 * -1)/bin/java -cp bench/target/classes:$(cat bench/target/classpath.txt)
 * dev.netctl.bench.ipam.IpamBench}
 */
public final class IpamBench {
  private static final String POOL = "10.0.0.0/14";
  private static final int BLOCK = 26;

  /** One result line. */
  record Row(
      String scenario,
      int requests,
      double totalMs,
      double p50Ms,
      double p99Ms,
      long writes,
      long reads,
      boolean unique) {}

  private IpamBench() {}

  /**
   * With the argument {@code reserved}, every block of the pool has its first two addresses
   * reserved (4096 IPReservation ranges, each in the way of the next assignment) and only the
   * group-commit scenarios run, next to the same scenarios without reservations.
   */
  public static void main(String[] args) throws Exception {
    List<Row> rows = new ArrayList<>();
    if (args.length > 0 && args[0].equals("reserved")) {
      Reservations gateways = firstTwoOfEveryBlock();
      for (int round = 0; round < 2; round++) {
        rows.add(run("group commit: 1 node x 100", 1, 100, true, Reservations.NONE));
        rows.add(run("  same, 4096 reserved ranges", 1, 100, true, gateways));
        rows.add(run("group commit: 100 nodes x 10", 100, 10, true, Reservations.NONE));
        rows.add(run("  same, 4096 reserved ranges", 100, 10, true, gateways));
      }
      print(rows);
      System.exit(0);
    }
    rows.add(rawCas());
    rows.add(run("group commit: 1 node x 100 concurrent", 1, 100, true));
    rows.add(run("one CAS per IP: 1 node x 100 concurrent", 1, 100, false));
    rows.add(run("group commit: 100 nodes x 10 concurrent", 100, 10, true));
    rows.add(run("one CAS per IP: 100 nodes x 10 concurrent", 100, 10, false));
    print(rows);
    double casRate = rate(rows.get(0));
    System.out.printf(
        "%nraw CAS rate: %.0f sequential updates/s; writes = etcd transactions (a single-key"
            + " create/update/delete or a multi-key commit, one Txn each), reads = get/list%n",
        casRate);
    System.out.printf(
        "burst (group commit, 1 node x 100): %.2f IPs per transaction (target >= 5)%n",
        rows.get(1).requests / (double) Math.max(1, rows.get(1).writes));
    System.out.printf(
        "cluster (group commit, 100 nodes x 10): %.0f assigns/s = %.2f x the raw CAS rate"
            + " (target >= 5)%n",
        rate(rows.get(3)), rate(rows.get(3)) / casRate);
    System.exit(0);
  }

  private static Reservations firstTwoOfEveryBlock() {
    Cidr pool = Cidr.parse(POOL);
    List<Cidr> first = new ArrayList<>();
    long blocks = pool.blockCount(BLOCK).longValueExact();
    for (long i = 0; i < blocks; i++) {
      first.add(new Cidr(pool.block(java.math.BigInteger.valueOf(i), BLOCK).network(), 31, false));
    }
    return Reservations.of(first);
  }

  private static void print(List<Row> rows) {
    System.out.printf(
        "%n%-42s %8s %10s %9s %9s %8s %8s %7s %7s%n",
        "SCENARIO",
        "REQUESTS",
        "TOTAL ms",
        "p50 ms",
        "p99 ms",
        "WRITES",
        "READS",
        "IP/TXN",
        "UNIQUE");
    for (Row r : rows) {
      System.out.printf(
          "%-42s %8d %10.1f %9.2f %9.2f %8d %8d %7.2f %7s%n",
          r.scenario,
          r.requests,
          r.totalMs,
          r.p50Ms,
          r.p99Ms,
          r.writes,
          r.reads,
          r.requests / (double) Math.max(1, r.writes),
          r.unique ? "yes" : "NO");
    }
  }

  private static double rate(Row r) {
    return r.requests / (r.totalMs / 1000.0);
  }

  /** Sequential compare-and-swap updates of one key: the floor every write pays. */
  private static Row rawCas() throws Exception {
    try (EtcdServer etcd = new EtcdServer();
        CountingDatastore ds = new CountingDatastore(Datastores.open(etcd.spec(), null))) {
      Key key = new Key("Bench", "cas");
      Entry e = ds.create(key, new byte[] {0}).get();
      for (int i = 0; i < 200; i++) e = ds.update(key, new byte[] {1}, e.revision()).get();
      ds.reset();
      int n = 2000;
      double[] lat = new double[n];
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        long s = System.nanoTime();
        e = ds.update(key, new byte[] {(byte) i}, e.revision()).get();
        lat[i] = (System.nanoTime() - s) / 1e6;
      }
      double total = (System.nanoTime() - t0) / 1e6;
      return row("raw etcd CAS, sequential", n, total, lat, ds, true);
    }
  }

  private static Row run(String name, int nodes, int perNode, boolean group) throws Exception {
    return run(name, nodes, perNode, group, Reservations.NONE);
  }

  private static Row run(String name, int nodes, int perNode, boolean group, Reservations reserved)
      throws Exception {
    try (EtcdServer etcd = new EtcdServer();
        CountingDatastore ds = new CountingDatastore(Datastores.open(etcd.spec(), null))) {
      IpamEnvironment env = environment(reserved);
      IpamStore store = new IpamStore(ds);
      Map<String, IpamAllocator> allocators = new ConcurrentHashMap<>();
      NaiveAllocator naive = new NaiveAllocator(store, Cidr.parse(POOL), BLOCK);
      // Warm up the JIT and the connection on a node of its own, then count from zero.
      for (int i = 0; i < 50; i++) {
        if (group) {
          new IpamAllocator(ds, env).autoAssign(AssignRequest.of("warmup", "w" + i, 1, 0));
        } else {
          naive.assign(nodes + 1, "warmup", "w" + i);
        }
      }
      for (int n = 0; n < nodes; n++) allocators.put("node-" + n, new IpamAllocator(ds, env));
      ds.reset();
      int total = nodes * perNode;
      double[] lat = new double[total];
      Set<InetAddress> seen = ConcurrentHashMap.newKeySet();
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      long t0;
      try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int n = 0; n < nodes; n++) {
          for (int k = 0; k < perNode; k++) {
            int idx = n * perNode + k;
            int nodeIndex = n;
            String node = "node-" + n;
            futures.add(
                ex.submit(
                    () -> {
                      start.await();
                      long s = System.nanoTime();
                      InetAddress a =
                          group
                              ? allocators
                                  .get(node)
                                  .autoAssign(AssignRequest.of(node, "h-" + idx, 1, 0))
                                  .ipv4()
                                  .get(0)
                                  .address()
                              : naive.assign(nodeIndex, node, "h-" + idx);
                      lat[idx] = (System.nanoTime() - s) / 1e6;
                      seen.add(a);
                      return null;
                    }));
          }
        }
        t0 = System.nanoTime();
        start.countDown();
        for (Future<?> f : futures) f.get(300, TimeUnit.SECONDS);
      }
      double totalMs = (System.nanoTime() - t0) / 1e6;
      // UNIQUE also says no reserved address was handed out.
      boolean clean = seen.size() == total && seen.stream().noneMatch(reserved::contains);
      return row(name, total, totalMs, lat, ds, clean);
    }
  }

  private static Row row(
      String name, int n, double totalMs, double[] lat, CountingDatastore ds, boolean unique) {
    double[] sorted = lat.clone();
    Arrays.sort(sorted);
    return new Row(
        name,
        n,
        totalMs,
        sorted[(int) Math.floor(0.50 * (n - 1))],
        sorted[(int) Math.floor(0.99 * (n - 1))],
        ds.writes.sum(),
        ds.reads.sum(),
        unique);
  }

  private static IpamEnvironment environment(Reservations reserved) {
    PoolSpec pool = PoolSpec.of("bench", POOL, BLOCK);
    return new IpamEnvironment() {
      @Override
      public List<PoolSpec> pools() {
        return List.of(pool);
      }

      @Override
      public Optional<Map<String, String>> nodeLabels(String node) {
        return Optional.of(Map.of());
      }

      @Override
      public IpamSettings settings() {
        return IpamSettings.DEFAULT;
      }

      @Override
      public Reservations reservations() {
        return reserved;
      }
    };
  }
}
