package dev.netctl.ipam.allocator;

import dev.netctl.datastore.Datastore;
import dev.netctl.ipam.IpamException;
import dev.netctl.ipam.block.AllocationAttribute;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.store.IpamHandle;
import dev.netctl.ipam.store.IpamStore;
import dev.netctl.ipam.store.Versioned;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A pod-churn workload for concurrency tests: simulated nodes, each with its own allocator (as its
 * own agent process would have), several threads per node assigning and releasing at random.
 *
 * <p>Every address a successful assign returns is recorded; seeing one that is already live is a
 * duplicate, the one thing IPAM must never do. Requests that fail (a killed writer, an unreachable
 * datastore) have an unknown outcome: their handles are remembered for clean-up.
 */
public final class Workload {

  /** What a run left behind. */
  public record Outcome(
      Map<InetAddress, String> live,
      List<String> duplicates,
      Set<String> uncertainHandles,
      int assigns,
      int releases,
      int failures,
      List<String> failureSamples) {}

  private final List<String> nodes;
  private final int threadsPerNode;
  private final int opsPerThread;
  private final int maxLivePerThread;
  private final long seed;
  private final Function<String, IpamAllocator> allocatorFor;

  /** Ask for a v6 address too every n-th assign (0 = never). */
  private final int dualStackEvery;

  public Workload(
      List<String> nodes,
      int threadsPerNode,
      int opsPerThread,
      int maxLivePerThread,
      int dualStackEvery,
      long seed,
      Function<String, IpamAllocator> allocatorFor) {
    this.nodes = nodes;
    this.threadsPerNode = threadsPerNode;
    this.opsPerThread = opsPerThread;
    this.maxLivePerThread = maxLivePerThread;
    this.dualStackEvery = dualStackEvery;
    this.seed = seed;
    this.allocatorFor = allocatorFor;
  }

  /**
   * Runs every thread to completion (bounded by {@code timeoutSeconds}).
   *
   * @param prefix makes handle names unique across processes running the same workload
   */
  public Outcome run(String prefix, long timeoutSeconds) throws Exception {
    Map<InetAddress, String> live = new ConcurrentHashMap<>();
    List<String> duplicates = new CopyOnWriteArrayList<>();
    Set<String> uncertain = ConcurrentHashMap.newKeySet();
    List<String> samples = new CopyOnWriteArrayList<>();
    AtomicInteger assigns = new AtomicInteger();
    AtomicInteger releases = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    Map<String, AtomicReference<IpamAllocator>> allocators = new HashMap<>();
    for (String n : nodes) allocators.put(n, new AtomicReference<>(allocatorFor.apply(n)));
    SplittableRandom root = new SplittableRandom(seed);
    List<Future<?>> futures = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (String node : nodes) {
        for (int t = 0; t < threadsPerNode; t++) {
          SplittableRandom rnd = root.split();
          String threadId = prefix + node + "-t" + t;
          AtomicReference<IpamAllocator> ref = allocators.get(node);
          futures.add(
              pool.submit(
                  () -> {
                    List<AssignResult> mine = new ArrayList<>();
                    List<String> myHandles = new ArrayList<>();
                    for (int op = 0; op < opsPerThread; op++) {
                      IpamAllocator ipam = ref.get();
                      boolean assign =
                          mine.isEmpty() || (mine.size() < maxLivePerThread && rnd.nextInt(10) < 6);
                      try {
                        if (assign) {
                          String handle = threadId + "-" + op;
                          int v6 = dualStackEvery > 0 && op % dualStackEvery == 0 ? 1 : 0;
                          assigns.incrementAndGet();
                          AssignResult r;
                          try {
                            r = ipam.autoAssign(AssignRequest.of(node, handle, 1, v6));
                          } catch (RuntimeException e) {
                            uncertain.add(handle);
                            throw e;
                          }
                          List<AssignedAddress> all = new ArrayList<>(r.ipv4());
                          all.addAll(r.ipv6());
                          for (AssignedAddress a : all) {
                            String prev = live.putIfAbsent(a.address(), handle);
                            if (prev != null) {
                              duplicates.add(Cidr.format(a.address()) + " " + prev + " " + handle);
                            }
                          }
                          mine.add(r);
                          myHandles.add(handle);
                        } else {
                          int i = rnd.nextInt(mine.size());
                          AssignResult r = mine.remove(i);
                          String handle = myHandles.remove(i);
                          List<AssignedAddress> all = new ArrayList<>(r.ipv4());
                          all.addAll(r.ipv6());
                          for (AssignedAddress a : all) live.remove(a.address(), handle);
                          releases.incrementAndGet();
                          try {
                            if (rnd.nextBoolean()) {
                              ipam.releaseByHandle(handle);
                            } else {
                              ipam.releaseIps(all.stream().map(ReleaseRequest::of).toList());
                            }
                          } catch (RuntimeException e) {
                            uncertain.add(handle);
                            throw e;
                          }
                        }
                      } catch (CrashingHook.WriterKilled killed) {
                        // The "process" died: its successor starts with nothing in memory.
                        failures.incrementAndGet();
                        ref.compareAndSet(ipam, allocatorFor.apply(node));
                      } catch (IpamException | dev.netctl.datastore.DatastoreException e) {
                        failures.incrementAndGet();
                        if (samples.size() < 10) samples.add(e.toString());
                      }
                    }
                    return null;
                  }));
        }
      }
      for (Future<?> f : futures) f.get(timeoutSeconds, TimeUnit.SECONDS);
    }
    return new Outcome(
        Map.copyOf(live),
        List.copyOf(duplicates),
        Set.copyOf(uncertain),
        assigns.get(),
        releases.get(),
        failures.get(),
        List.copyOf(samples));
  }

  /** Every allocated address in the store, with its handle. */
  public static Map<InetAddress, String> allocated(IpamStore store) {
    Map<InetAddress, String> out = new HashMap<>();
    for (Versioned<dev.netctl.ipam.block.AllocationBlock> v : store.blocks()) {
      Block b = Block.of(v.value());
      for (int o = 0; o < b.size(); o++) {
        AllocationAttribute a = b.attributeAt(o);
        if (a != null) out.put(b.addressAt(o), a.handle());
      }
    }
    return out;
  }

  /** Handle ID to total count, from the handle records. */
  public static Map<String, Integer> handleTotals(IpamStore store) {
    Map<String, Integer> out = new HashMap<>();
    for (Versioned<IpamHandle> h : store.handles())
      out.put(h.value().handleID(), h.value().total());
    return out;
  }

  /** Releases what the uncertain requests may have left; absent handles are fine. */
  public static void releaseUncertain(Datastore ds, IpamEnvironment env, Set<String> handles) {
    IpamAllocator ipam = new IpamAllocator(ds, env);
    for (String h : handles) {
      try {
        ipam.releaseByHandle(h);
      } catch (IpamException.UnknownHandle e) {
        // Never written, or already released.
      }
    }
  }
}
