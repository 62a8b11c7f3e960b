package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.Ipv4NlriList;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Not a test: a {@code main} that replays the churn benchmark on one shard (an injector and a
 * monitor, both route-reflector clients; 10,000 /24s over 1,000 attribute sets; each round
 * withdraws everything and re-announces it with sets the process has not seen) and prints what the
 * shard's side of a round costs its thread: bytes allocated, CPU, and what a full collection leaves
 * live. Group drains run outside the measured windows.
 *
 * <p>Run (C1 only and the serial collector, as the product runs): {@code java
 * -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp
 * bgp-speaker/target/classes:bgp-speaker/target/test-classes dev.netctl.bgp.rib.NewSetProbe
 * [rounds] [fresh]}; with {@code loop [rounds] [fresh]} the group drains on a thread of its own as
 * the event loop does (scheduled by the group's signal, so alongside the shard's next changes), and
 * each round prints the CPU of both threads.
 */
public final class NewSetProbe {
  private static final int PREFIXES = 10_000;
  private static final int SETS = 1_000;
  private static final int BATCH = 128;

  private NewSetProbe() {}

  /** Runs the rounds and prints one line each. */
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("parts")) {
      parts();
      return;
    }
    if (args.length > 0 && args[0].equals("loop")) {
      loop(
          args.length > 1 ? Integer.parseInt(args[1]) : 40,
          args.length <= 2 || Boolean.parseBoolean(args[2]));
      return;
    }
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    boolean fresh = args.length <= 1 || Boolean.parseBoolean(args[1]);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    ShardHarness h = new ShardHarness();
    // No sink: the harness's records every change, which would grow round by round.
    h.sinks.clear();
    Peer injector = Fixtures.client("10.0.0.1");
    Peer monitor = Fixtures.client("10.0.0.2");
    h.policies.put(injector, RoutePolicy.ACCEPT_ALL);
    h.policies.put(monitor, RoutePolicy.ACCEPT_ALL);
    UpdateGroup g = h.group(Fixtures.ibgpProfile(true, RoutePolicy.ACCEPT_ALL), monitor);
    Inet4Address nextHop = Fixtures.v4("10.0.0.1");
    long[] keys = new long[PREFIXES];
    for (int i = 0; i < PREFIXES; i++) {
      keys[i] = Ipv4NlriList.pack(Prefix.ipv4(0x10000000 + (i << 8), 24));
    }
    announce(h, injector, keys, nextHop, 0, 100);
    g.drain();
    long[] bytes = new long[rounds];
    long[] cpu = new long[rounds];
    for (int r = 0; r < rounds; r++) {
      long t0 = threads.getCurrentThreadCpuTime();
      long b0 = threads.getCurrentThreadAllocatedBytes();
      for (int first = 0; first < PREFIXES; first += 1_000) {
        h.shard.deferSignals();
        for (int i = first; i < first + 1_000; i++) {
          h.shard.withdraw(injector, keys[i]);
        }
        h.shard.releaseSignals();
      }
      long t1 = threads.getCurrentThreadCpuTime();
      long b1 = threads.getCurrentThreadAllocatedBytes();
      g.drain();
      long t2 = threads.getCurrentThreadCpuTime();
      long b2 = threads.getCurrentThreadAllocatedBytes();
      announce(h, injector, keys, nextHop, 7_777_777, fresh ? 101 + r : 100);
      long t3 = threads.getCurrentThreadCpuTime();
      long b3 = threads.getCurrentThreadAllocatedBytes();
      g.drain();
      bytes[r] = (b1 - b0) + (b3 - b2);
      cpu[r] = (t1 - t0) + (t3 - t2);
      System.gc();
      long live = memory.getHeapMemoryUsage().getUsed();
      System.out.printf(
          "round %d: shard %,d bytes allocated (%,d per set), %.2f ms CPU, live after full GC"
              + " %,d%n",
          r + 1, bytes[r], bytes[r] / SETS, cpu[r] / 1e6, live);
    }
    long[] b = java.util.Arrays.copyOfRange(bytes, rounds / 2, rounds);
    long[] c = java.util.Arrays.copyOfRange(cpu, rounds / 2, rounds);
    java.util.Arrays.sort(b);
    java.util.Arrays.sort(c);
    System.out.printf(
        "median of the last %d rounds: %,d bytes per set, %.2f ms CPU%n",
        b.length, b[b.length / 2] / SETS, c[c.length / 2] / 1e6);
  }

  // The rounds with drains on a second thread, as the speaker's event loop runs them.
  private static void loop(int rounds, boolean fresh) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    ShardHarness h = new ShardHarness();
    h.sinks.clear();
    Peer injector = Fixtures.client("10.0.0.1");
    Peer monitor = Fixtures.client("10.0.0.2");
    h.policies.put(injector, RoutePolicy.ACCEPT_ALL);
    h.policies.put(monitor, RoutePolicy.ACCEPT_ALL);
    UpdateGroup g = h.group(Fixtures.ibgpProfile(true, RoutePolicy.ACCEPT_ALL), monitor);
    ExecutorService loop = Executors.newSingleThreadExecutor();
    try {
      long loopThread = loop.submit(() -> Thread.currentThread().threadId()).get();
      g.onPending(() -> loop.execute(g::drain));
      Inet4Address nextHop = Fixtures.v4("10.0.0.1");
      long[] keys = new long[PREFIXES];
      for (int i = 0; i < PREFIXES; i++) {
        keys[i] = Ipv4NlriList.pack(Prefix.ipv4(0x10000000 + (i << 8), 24));
      }
      announce(h, injector, keys, nextHop, 0, 100);
      long[] shard = new long[rounds];
      long[] drains = new long[rounds];
      for (int r = 0; r < rounds; r++) {
        loop.submit(() -> {}).get(); // the previous round fully drained
        long s0 = threads.getCurrentThreadCpuTime();
        long l0 = threads.getThreadCpuTime(loopThread);
        for (int first = 0; first < PREFIXES; first += 1_000) {
          h.shard.deferSignals();
          for (int i = first; i < first + 1_000; i++) {
            h.shard.withdraw(injector, keys[i]);
          }
          h.shard.releaseSignals();
        }
        announce(h, injector, keys, nextHop, 7_777_777, fresh ? 101 + r : 100);
        shard[r] = threads.getCurrentThreadCpuTime() - s0;
        loop.submit(() -> {}).get();
        drains[r] = threads.getThreadCpuTime(loopThread) - l0;
        System.gc();
        System.out.printf(
            "round %d: shard %.2f ms, drains %.2f ms CPU%n",
            r + 1, shard[r] / 1e6, drains[r] / 1e6);
      }
      long[] s = java.util.Arrays.copyOfRange(shard, rounds / 2, rounds);
      long[] d = java.util.Arrays.copyOfRange(drains, rounds / 2, rounds);
      java.util.Arrays.sort(s);
      java.util.Arrays.sort(d);
      System.out.printf(
          "median of the last %d rounds: shard %.2f ms, drains %.2f ms CPU%n",
          s.length, s[s.length / 2] / 1e6, d[d.length / 2] / 1e6);
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("the drain thread failed", e);
    } finally {
      loop.shutdown();
    }
  }

  // Bytes per set of the steps a new set goes through, each over 1,000 new sets, after warm-up.
  private static void parts() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Inet4Address nextHop = Fixtures.v4("10.0.0.1");
    Peer injector = Fixtures.client("10.0.0.1");
    RibConfig config = Fixtures.config();
    OutboundProfile profile = Fixtures.ibgpProfile(true, RoutePolicy.ACCEPT_ALL);
    for (int r = 0; r < 40; r++) {
      List<List<PathAttribute>> lists = new ArrayList<>();
      List<List<PathAttribute>> again = new ArrayList<>();
      for (int k = 0; k < SETS; k++) {
        lists.add(attributes(k, 7_777_777, 1000 + r));
        again.add(attributes(k, 7_777_777, 1000 + r));
      }
      AttributeSet[] sets = new AttributeSet[SETS];
      long b0 = threads.getCurrentThreadAllocatedBytes();
      for (int k = 0; k < SETS; k++) {
        sets[k] = AttributeSet.of(lists.get(k), nextHop);
      }
      long b1 = threads.getCurrentThreadAllocatedBytes();
      for (int k = 0; k < SETS; k++) {
        AttributeSet.of(again.get(k), nextHop);
      }
      long b2 = threads.getCurrentThreadAllocatedBytes();
      for (int k = 0; k < SETS; k++) {
        ImportRules.apply(config, injector, RoutePolicy.ACCEPT_ALL, null, sets[k]);
      }
      long b3 = threads.getCurrentThreadAllocatedBytes();
      AttributeSet[] out = new AttributeSet[SETS];
      for (int k = 0; k < SETS; k++) {
        out[k] = ExportRules.rules(config, profile, false, new Route(injector, 0, sets[k], 1));
      }
      long b4 = threads.getCurrentThreadAllocatedBytes();
      if (r % 10 == 9) {
        System.out.printf(
            "per set: of() new %d, of() found %d, import %d, export rules (with Route 24) %d%n",
            (b1 - b0) / SETS, (b2 - b1) / SETS, (b3 - b2) / SETS, (b4 - b3) / SETS);
      }
      if (r == 39) {
        // What a new set and its reflected export keep live: the heap with them and without.
        lists = null;
        again = null;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long with = memory.getHeapMemoryUsage().getUsed();
        java.util.Arrays.fill(sets, null);
        java.util.Arrays.fill(out, null);
        System.gc();
        long without = memory.getHeapMemoryUsage().getUsed();
        System.out.printf(
            "live per new set and its reflected set: %d bytes%n", (with - without) / SETS);
      }
    }
  }

  // Announces every prefix, prefix i with set i % SETS, in UPDATEs of ten prefixes of one set,
  // each set's attributes new objects as the decoder makes them.
  private static void announce(
      ShardHarness h, Peer peer, long[] keys, Inet4Address nextHop, long med, long localPref) {
    for (int first = 0; first < SETS; first += BATCH) {
      h.shard.deferSignals();
      for (int k = first; k < Math.min(SETS, first + BATCH); k++) {
        AttributeSet set = AttributeSet.of(attributes(k, med, localPref), nextHop);
        for (int i = k; i < keys.length; i += SETS) {
          h.shard.announce(peer, keys[i], set);
        }
      }
      h.shard.releaseSignals();
    }
  }

  // The benchmark's attribute set k (bench Workload.attributeSet).
  private static List<PathAttribute> attributes(int k, long med, long localPref) {
    long[] path = new long[1 + k % 3];
    for (int i = 0; i < path.length; i++) {
      path[i] = 64600 + (k * 7L + i * 13L) % 300;
    }
    List<PathAttribute> out = new ArrayList<>(5);
    out.add(new PathAttribute.Origin(PathAttribute.OriginType.IGP));
    out.add(PathAttribute.AsPath.sequence(path));
    out.add(new PathAttribute.MultiExitDisc(med > 0 ? med : k % 100));
    out.add(new PathAttribute.LocalPref(localPref));
    out.add(
        new PathAttribute.Communities(
            List.of((65000 << 16) | (k & 0xffff), (65001 << 16) | (k % 7))));
    return out;
  }
}
