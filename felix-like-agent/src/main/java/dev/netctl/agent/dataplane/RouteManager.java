package dev.netctl.agent.dataplane;

import dev.netctl.agent.kernel.Kernel;
import dev.netctl.agent.kernel.Route;
import dev.netctl.datastore.model.Cidr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Keeps the kernel's routes of our protocol equal to the desired set: replaces what is missing or
 * different, deletes what we own and no longer want, and never looks at other protocols' routes.
 *
 * <p>{@link #desired} is cheap (no I/O). {@link #apply} diffs against what it believes is
 * programmed; {@link #resync} (first apply, periodic, link events) re-reads the kernel first, which
 * is the mark-and-sweep after a restart: routes from the previous run that are still wanted stay
 * untouched, so a restart flushes nothing.
 */
public final class RouteManager {

  private final Kernel kernel;
  private final Map<Cidr, Route> desired = new HashMap<>();
  private final Map<Cidr, Route> programmed = new HashMap<>();
  // Destinations changed since the last apply; null means all of them.
  private Set<Cidr> dirty = null;
  private boolean needResync = true;
  private List<Kernel.Failure> lastFailures = List.of();

  public RouteManager(Kernel kernel) {
    this.kernel = kernel;
  }

  /** The routes that should exist: all of them. */
  public void desired(Map<Cidr, Route> routes) {
    desired.clear();
    desired.putAll(routes);
    dirty = null;
  }

  /**
   * Adds or changes single routes; the next apply looks at these destinations only (unless a full
   * {@link #desired} or a resync came first).
   */
  public void patch(Map<Cidr, Route> routes) {
    desired.putAll(routes);
    if (dirty != null) dirty.addAll(routes.keySet());
  }

  /** The route currently wanted for {@code dst}, or null. */
  public Route wanted(Cidr dst) {
    return desired.get(dst);
  }

  /** Makes the next apply re-read the kernel before diffing. */
  public void resync() {
    needResync = true;
    prefetched = null;
  }

  /**
   * Starts the kernel read the next apply needs (if it needs one) on a virtual thread, so it runs
   * while the caller sets up VXLAN devices and VTEPs instead of after them.
   */
  public void prefetch() {
    if (needResync && prefetched == null) {
      prefetched =
          java.util.concurrent.CompletableFuture.supplyAsync(
              kernel::ownedRoutes, Thread::startVirtualThread);
    }
  }

  private java.util.concurrent.CompletableFuture<List<Route>> prefetched;

  /** Routes the last apply could not program (retried by the next apply). */
  public List<Kernel.Failure> lastFailures() {
    return lastFailures;
  }

  /** How many routes are programmed. */
  public int programmedCount() {
    return programmed.size();
  }

  /**
   * Brings the kernel to the desired routes.
   *
   * @return the number of routes replaced or deleted
   */
  public int apply() {
    if (needResync) {
      programmed.clear();
      List<Route> owned;
      try {
        owned = prefetched != null ? prefetched.join() : kernel.ownedRoutes();
      } catch (java.util.concurrent.CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      } finally {
        prefetched = null;
      }
      for (Route r : owned) programmed.put(r.dst(), r);
      needResync = false;
      dirty = null;
    }
    List<Route> replace = new ArrayList<>();
    List<Route> delete = new ArrayList<>();
    if (dirty == null) {
      for (Route r : desired.values()) {
        Route have = programmed.get(r.dst());
        if (have == null || !matches(r, have)) replace(r, have, replace, delete);
      }
      for (Route r : programmed.values()) {
        if (!desired.containsKey(r.dst())) delete.add(r);
      }
    } else {
      for (Cidr dst : dirty) {
        Route want = desired.get(dst);
        Route have = programmed.get(dst);
        if (want != null && (have == null || !matches(want, have)))
          replace(want, have, replace, delete);
        if (want == null && have != null) delete.add(have);
      }
    }
    dirty = new HashSet<>();
    if (replace.isEmpty() && delete.isEmpty()) {
      lastFailures = List.of();
      return 0;
    }
    // Link routes first: the kernel checks an IPv6 onlink gateway against the routes present, and
    // the host route to a peer's VTEP must be there before the routes via it (Calculator).
    replace.sort(java.util.Comparator.comparing(r -> !r.gateways().isEmpty()));
    List<Kernel.Failure> failures = kernel.applyRoutes(replace, delete);
    for (Route r : delete) programmed.remove(r.dst());
    for (Route r : replace) programmed.put(r.dst(), r);
    // A failed item is forgotten, so the next apply tries it again.
    for (Kernel.Failure f : failures) {
      if (f.item() instanceof Route r) {
        if (desired.containsKey(r.dst())) {
          programmed.remove(r.dst());
        } else {
          programmed.put(r.dst(), r);
        }
        dirty.add(r.dst());
      }
    }
    lastFailures = failures;
    return replace.size() + delete.size();
  }

  /**
   * Queues {@code want} in place of {@code have}. A route that changes device has its old route
   * deleted first (the batch sends deletes before replaces): IPv6 refuses an onlink gateway that
   * resolves through another route on another device, and a block moving from native routing to
   * VXLAN has its VTEP address inside itself, still routed through the old device.
   */
  private static void replace(Route want, Route have, List<Route> replace, List<Route> delete) {
    if (have != null && have.dev() != null && want.dev() != null && !want.dev().equals(have.dev()))
      delete.add(have);
    replace.add(want);
  }

  /**
   * Whether the kernel's route is the one we want. A desired route without a device leaves the
   * choice to the kernel, which reports the device it resolved.
   */
  static boolean matches(Route want, Route have) {
    return want.type() == have.type()
        && want.gateways().equals(have.gateways())
        && (want.dev() == null || Objects.equals(want.dev(), have.dev()))
        && (want.gateways().isEmpty() || want.onlink() == have.onlink());
  }
}
