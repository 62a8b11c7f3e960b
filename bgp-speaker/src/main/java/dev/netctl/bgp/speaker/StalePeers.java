package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.Capability;
import dev.netctl.bgp.fsm.Negotiated;
import dev.netctl.bgp.rib.Peer;
import dev.netctl.bgp.rib.Rib;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving-speaker side of graceful restart (RFC 4724 §4.2): which peers' routes are kept as
 * stale, for which families, and the timers that end it. A peer that advertised the capability and
 * whose session ended without a NOTIFICATION keeps its routes of the families it listed; they are
 * dropped when it does not come back within its restart time, when it comes back without listing
 * the family with the Forwarding State bit, at its End-of-RIB for the family, or when the stale
 * timer runs out after it came back. Runs on the speaker's loop.
 */
final class StalePeers {
  private static final Logger LOG = LoggerFactory.getLogger(StalePeers.class);
  private static final Set<AddressFamily> UNICAST =
      Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);

  /** Runs RIB work for one peer after everything already queued for it. */
  interface Ordered {
    void then(InetAddress address, Supplier<CompletableFuture<Void>> work);
  }

  private static final class Restart {
    final Peer peer;
    final Set<AddressFamily> families;
    ScheduledFuture<?> timer;
    boolean back;

    Restart(Peer peer, Set<AddressFamily> families) {
      this.peer = peer;
      this.families = new HashSet<>(families);
    }
  }

  private final Rib rib;
  private final EventLoop loop;
  private final Duration staleTime;
  private final Ordered ordered;
  private final Map<InetAddress, Restart> restarts = new HashMap<>();
  // Told of a peer that did not come back within its restart time (its routes are being dropped).
  private Consumer<InetAddress> notBack = a -> {};

  StalePeers(Rib rib, EventLoop loop, Duration staleTime, Ordered ordered) {
    this.rib = rib;
    this.loop = loop;
    this.staleTime = staleTime;
    this.ordered = ordered;
  }

  /**
   * An established session ended. Returns the families whose routes to keep as stale (the caller
   * then uses {@link Rib#peerDownGracefully}), or null to drop every route ({@link Rib#peerDown}).
   */
  Set<AddressFamily> lost(
      InetAddress address, Peer peer, Negotiated negotiated, boolean notification) {
    Restart previous = restarts.remove(address);
    if (previous != null && previous.timer != null) {
      previous.timer.cancel(false);
    }
    var capability = negotiated.peerOpen().capability(Capability.GracefulRestart.class);
    if (notification || capability.isEmpty()) {
      return null;
    }
    Set<AddressFamily> keep = new HashSet<>();
    for (Capability.GracefulRestartFamily f : capability.get().families()) {
      if (negotiated.families().contains(f.family()) && UNICAST.contains(f.family())) {
        keep.add(f.family());
      }
    }
    if (keep.isEmpty()) {
      return null;
    }
    Restart r = new Restart(peer, keep);
    restarts.put(address, r);
    int seconds = capability.get().restartTimeSeconds();
    LOG.info("{}: restarting gracefully, keeping {} routes for {} s", peer, keep, seconds);
    r.timer =
        loop.schedule(
            () -> {
              if (restarts.remove(address, r)) {
                LOG.info("{}: not back within its restart time, dropping its routes", peer);
                ordered.then(address, () -> rib.peerDown(peer));
                notBack.accept(address);
              }
            },
            seconds,
            TimeUnit.SECONDS);
    return keep;
  }

  /**
   * The peer's session is back as {@code peer}: drops now what it no longer preserves and starts
   * the stale timer for the rest. Returns {@code before} followed by that RIB work.
   */
  CompletableFuture<Void> reestablished(
      InetAddress address, Peer peer, Negotiated negotiated, CompletableFuture<Void> before) {
    Restart r = restarts.get(address);
    if (r == null) {
      return before;
    }
    if (r.timer != null) {
      r.timer.cancel(false);
    }
    r.back = true;
    if (!r.peer.equals(peer)) {
      // Another router (identifier or AS changed) answers at the address: nothing is preserved.
      restarts.remove(address);
      return before.thenCompose(v -> rib.peerDown(r.peer));
    }
    Set<AddressFamily> preserved = new HashSet<>();
    negotiated
        .peerOpen()
        .capability(Capability.GracefulRestart.class)
        .ifPresent(
            c ->
                c.families().stream()
                    .filter(Capability.GracefulRestartFamily::forwardingPreserved)
                    .map(Capability.GracefulRestartFamily::family)
                    .filter(negotiated.families()::contains)
                    .forEach(preserved::add));
    Set<AddressFamily> flush = new HashSet<>(r.families);
    flush.removeAll(preserved);
    r.families.retainAll(preserved);
    CompletableFuture<Void> after = before;
    if (!flush.isEmpty()) {
      // RFC 4724 §4.2: a family not listed again, or without the F bit, is dropped at once.
      after = before.thenCompose(v -> rib.sweepStale(peer, flush));
    }
    if (r.families.isEmpty()) {
      restarts.remove(address);
      return after;
    }
    r.timer =
        loop.schedule(
            () -> {
              if (restarts.remove(address, r)) {
                LOG.info("{}: no End-of-RIB within {}, dropping its stale routes", peer, staleTime);
                Set<AddressFamily> left = Set.copyOf(r.families);
                ordered.then(address, () -> rib.sweepStale(peer, left));
              }
            },
            staleTime.toMillis(),
            TimeUnit.MILLISECONDS);
    return after;
  }

  /** End-of-RIB for {@code family} arrived: the routes still stale in it go (RFC 4724 §4.2). */
  void endOfRib(InetAddress address, AddressFamily family) {
    Restart r = restarts.get(address);
    if (r == null || !r.back || !r.families.remove(family)) {
      return;
    }
    ordered.then(address, () -> rib.sweepStale(r.peer, Set.of(family)));
    if (r.families.isEmpty()) {
      r.timer.cancel(false);
      restarts.remove(address);
    }
  }

  /**
   * Calls {@code listener} on the loop with the address of a peer that did not come back within its
   * restart time, after its routes were queued for removal.
   */
  void onNotBack(Consumer<InetAddress> listener) {
    notBack = listener;
  }

  /** The peer whose stale routes are kept while its session is down, or null. */
  Peer down(InetAddress address) {
    Restart r = restarts.get(address);
    return r == null || r.back ? null : r.peer;
  }

  /** Whether stale routes of the peer are kept (down, or back and awaiting End-of-RIB). */
  boolean keeps(InetAddress address) {
    return restarts.containsKey(address);
  }

  /** Forgets the peer (de-configured); returns the peer whose stale routes to drop, or null. */
  Peer forget(InetAddress address) {
    Restart r = restarts.remove(address);
    if (r == null) {
      return null;
    }
    if (r.timer != null) {
      r.timer.cancel(false);
    }
    return r.peer;
  }
}
