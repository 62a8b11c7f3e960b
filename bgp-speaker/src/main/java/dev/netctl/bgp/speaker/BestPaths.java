package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.rib.BestPathChange;
import dev.netctl.bgp.rib.PeerKind;
import dev.netctl.bgp.rib.RibEntry;
import dev.netctl.bgp.rib.Route;
import dev.netctl.bgp.rib.RouteSink;
import io.netty.channel.EventLoop;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Tells {@link RouteListener}s about the best paths learned from peers: the RIB shards report each
 * best-path change, this hands it to the speaker's loop (which keeps per-prefix order) and turns it
 * into a withdrawal for the peer whose path lost and an announcement for the peer whose path won.
 * Our own routes are not reported. Best paths are only tracked while somebody listens.
 */
final class BestPaths implements RouteSink {
  private final EventLoop loop;
  private final Map<Prefix, ReceivedRoute> best = new HashMap<>();
  private final List<RouteListener> listeners = new CopyOnWriteArrayList<>();
  // Listeners that have thrown (see failed); on the loop.
  private final java.util.Set<RouteListener> failing = new java.util.HashSet<>();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BestPaths.class);

  BestPaths(EventLoop loop) {
    this.loop = loop;
  }

  @Override
  public boolean listening() {
    return !listeners.isEmpty();
  }

  /** A best-path change, from a RIB shard: handed to the loop, which keeps per-prefix order. */
  @Override
  public void onChange(BestPathChange change) {
    if (listeners.isEmpty()) {
      // No route sink: tracking every best path would cost a map entry per prefix (a reflector
      // holding a million routes), and add() takes the current ones from the RIB.
      return;
    }
    try {
      loop.execute(() -> publish(change));
    } catch (RejectedExecutionException e) {
      // Closing: nobody listens any more.
    }
  }

  private void publish(BestPathChange change) {
    Prefix prefix = change.prefix();
    ReceivedRoute previous = best.get(prefix);
    Route b = change.best();
    ReceivedRoute now =
        b == null || b.source().kind() == PeerKind.LOCAL ? null : ReceivedRoute.from(b, prefix);
    if (previous != null && (now == null || !previous.peer().equals(now.peer()))) {
      best.remove(prefix);
      List<Nlri> gone = List.of(previous.nlri());
      for (RouteListener l : listeners) {
        try {
          l.withdrawn(previous.peer(), gone);
        } catch (RuntimeException e) {
          failed(l, prefix, e);
        }
      }
    }
    if (now != null) {
      best.put(prefix, now);
      List<ReceivedRoute> routes = List.of(now);
      for (RouteListener l : listeners) {
        try {
          l.announced(now.peer(), routes);
        } catch (RuntimeException e) {
          failed(l, prefix, e);
        }
      }
    }
  }

  // A listener that throws must not keep the change from the listeners after it (one stopped the
  // loop over them before). Logged once per listener at warning level, its later failures at debug
  // level: one that fails on every route would otherwise log a table's worth.
  private void failed(RouteListener l, Prefix prefix, RuntimeException e) {
    if (failing.add(l)) {
      LOG.warn(
          "route listener {} failed on {} (its later failures are logged at debug level)",
          l,
          prefix,
          e);
    } else {
      LOG.debug("route listener {} failed on {}: {}", l, prefix, e.toString());
    }
  }

  /**
   * Adds a listener and announces every current best path to it; on the loop. {@code locRib} gives
   * the Loc-RIB's entries, asked only when nobody listened before (best paths were not tracked).
   */
  void add(RouteListener l, Supplier<List<RibEntry>> locRib) {
    if (listeners.isEmpty()) {
      // Shards queue every change made from now on (listeners is no longer empty), and the queue
      // runs after this task, on top of the snapshot.
      listeners.add(l);
      best.clear();
      for (RibEntry e : locRib.get()) {
        Route b = e.best();
        if (b != null && b.source().kind() != PeerKind.LOCAL) {
          best.put(e.prefix(), ReceivedRoute.from(b, e.prefix()));
        }
      }
    } else {
      listeners.add(l);
    }
    best.values().forEach(r -> l.announced(r.peer(), List.of(r)));
  }

  /** Removes a listener; from any thread. */
  void remove(RouteListener l) {
    listeners.remove(l);
    try {
      loop.execute(() -> failing.remove(l));
    } catch (RejectedExecutionException e) {
      // Closing: nothing is kept.
    }
  }
}
