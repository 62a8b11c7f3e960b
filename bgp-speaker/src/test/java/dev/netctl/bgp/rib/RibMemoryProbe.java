package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Not a test: a {@code main} that loads 1,000,000 IPv4 routes carrying 1,000 distinct attribute
 * sets from one iBGP peer through {@link Rib#apply} (so both the Adj-RIB-In and the Loc-RIB hold
 * them) and prints the heap cost per route, measured as used heap after GC.
 *
 * <p>Run: {@code java -Xmx2g -cp bgp-speaker/target/classes:bgp-speaker/target/test-classes
 * dev.netctl.bgp.rib.RibMemoryProbe [routes] [sets] [shards]}
 */
public final class RibMemoryProbe {
  private RibMemoryProbe() {}

  /** Loads the table and prints bytes per route. */
  public static void main(String[] args) throws Exception {
    int routes = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int sets = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    int shards = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    RibConfig config = new RibConfig(Fixtures.LOCAL_AS, Fixtures.ROUTER_ID, null, false, 1, shards);
    Peer peer = Fixtures.ibgp("10.0.0.1");
    List<List<PathAttribute>> attributeLists = new ArrayList<>();
    for (int s = 0; s < sets; s++) {
      attributeLists.add(
          List.of(
              new PathAttribute.Origin(PathAttribute.OriginType.IGP),
              AsPath.sequence(64512, 64600 + s),
              new PathAttribute.NextHop(Fixtures.v4("10.1." + (s / 250) + "." + (1 + s % 250))),
              new PathAttribute.LocalPref(100),
              new PathAttribute.Communities(List.of(65000 << 16 | s))));
    }
    long before = usedAfterGc();
    long start = System.nanoTime();
    try (Rib rib = new Rib(config, NextHopResolver.ALL_REACHABLE)) {
      List<CompletableFuture<Void>> inFlight = new ArrayList<>();
      int perUpdate = 500;
      for (int first = 0; first < routes; first += perUpdate) {
        List<Nlri> nlri = new ArrayList<>(perUpdate);
        for (int i = first; i < Math.min(routes, first + perUpdate); i++) {
          // /24s from 10.0.0.0 upward, then /32s would follow; a million /24s fit below 26.0.0.0.
          nlri.add(Nlri.of(Prefix.ipv4(0x0a000000 + (i << 8), 24)));
        }
        inFlight.add(
            rib.apply(
                peer, new Update(List.of(), attributeLists.get((first / perUpdate) % sets), nlri)));
        if (inFlight.size() > 64) {
          inFlight.removeFirst().join();
        }
      }
      inFlight.forEach(CompletableFuture::join);
      long loadMillis = (System.nanoTime() - start) / 1_000_000;
      long count = rib.prefixCount().join();
      long after = usedAfterGc();
      System.out.printf(
          "routes=%d attributeSets=%d shards=%d loc-rib=%d load=%d ms heap=%.1f MB => %.1f bytes/route%n",
          routes,
          sets,
          shards,
          count,
          loadMillis,
          (after - before) / 1e6,
          (after - before) / (double) routes);
    }
  }

  private static long usedAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }
}
