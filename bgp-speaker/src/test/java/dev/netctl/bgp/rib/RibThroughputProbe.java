package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: a {@code main} that has several iBGP peers announce the same prefixes concurrently
 * (so best-path selection runs on every UPDATE) while a query loop reads the table, and prints
 * UPDATE throughput and query latency for a given shard count.
 *
 * <p>Run: {@code java -cp bgp-speaker/target/classes:bgp-speaker/target/test-classes
 * dev.netctl.bgp.rib.RibThroughputProbe [shards] [peers] [prefixesPerPeer]}
 */
public final class RibThroughputProbe {
  private RibThroughputProbe() {}

  /** Runs one load and prints the figures. */
  public static void main(String[] args) throws Exception {
    int shards = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int peers = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int prefixes = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
    RibConfig config = new RibConfig(Fixtures.LOCAL_AS, Fixtures.ROUTER_ID, null, false, 4, shards);
    try (Rib rib = new Rib(config, NextHopResolver.ALL_REACHABLE)) {
      AtomicBoolean loading = new AtomicBoolean(true);
      AtomicLong queries = new AtomicLong();
      AtomicLong worstQueryNanos = new AtomicLong();
      Thread reader =
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (loading.get()) {
                      long t = System.nanoTime();
                      rib.routes(p -> true, 1000).join();
                      worstQueryNanos.accumulateAndGet(System.nanoTime() - t, Math::max);
                      queries.incrementAndGet();
                    }
                  });
      long start = System.nanoTime();
      List<Thread> feeders = new ArrayList<>();
      for (int p = 0; p < peers; p++) {
        Peer peer = Fixtures.ibgp("10.0.0." + (p + 1));
        rib.addPeer(peer, null).join();
        List<PathAttribute> attrs =
            List.of(
                new PathAttribute.Origin(PathAttribute.OriginType.IGP),
                AsPath.sequence(64512 + p),
                new PathAttribute.NextHop(Fixtures.v4("10.0.0." + (p + 1))));
        feeders.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      List<CompletableFuture<Void>> inFlight = new ArrayList<>();
                      for (int first = 0; first < prefixes; first += 500) {
                        List<Nlri> nlri = new ArrayList<>();
                        for (int i = first; i < Math.min(prefixes, first + 500); i++) {
                          nlri.add(Nlri.of(Prefix.ipv4(0x0a000000 + (i << 8), 24)));
                        }
                        inFlight.add(rib.apply(peer, new Update(List.of(), attrs, nlri)));
                        if (inFlight.size() > 16) {
                          inFlight.removeFirst().join();
                        }
                      }
                      inFlight.forEach(CompletableFuture::join);
                    }));
      }
      for (Thread t : feeders) {
        t.join();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      loading.set(false);
      reader.join();
      System.out.printf(
          "shards=%d peers=%d paths=%d time=%.2f s => %.0f paths/s; %d queries during load, worst %.1f ms%n",
          shards,
          peers,
          (long) peers * prefixes,
          seconds,
          peers * (double) prefixes / seconds,
          queries.get(),
          worstQueryNanos.get() / 1e6);
    }
  }
}
