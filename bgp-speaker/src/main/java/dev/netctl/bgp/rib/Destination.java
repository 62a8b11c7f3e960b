package dev.netctl.bgp.rib;

import java.util.List;

/**
 * The Loc-RIB state of one prefix on its shard: candidate paths in canonical order, the selected
 * best path and the ECMP set. Mutable, owned by one shard thread; a single path is stored without
 * an array. Most single-path prefixes do not even have one of these: {@link LocRib} keeps them
 * compact and builds a Destination only when asked.
 */
final class Destination {
  private static final Route[] NONE = new Route[0];

  private Object paths = NONE; // Route, or Route[] in canonical order
  private Route best;
  private Route[] multipath; // null when the set is the best path alone (or empty)

  /** A destination whose one path is selected. */
  static Destination selected(Route route) {
    Destination d = new Destination();
    d.paths = route;
    d.best = route;
    return d;
  }

  Route[] paths() {
    return paths instanceof Route r ? new Route[] {r} : (Route[]) paths;
  }

  /** The path when there is exactly one, else null. */
  Route single() {
    return paths instanceof Route r ? r : null;
  }

  Route best() {
    return best;
  }

  List<Route> multipath() {
    if (best == null) {
      return List.of();
    }
    return multipath == null ? List.of(best) : List.of(multipath);
  }

  void set(Route[] candidates, BestPath.Selection selection) {
    this.paths = candidates.length == 1 ? candidates[0] : candidates;
    this.best = selection.best();
    this.multipath =
        selection.multipath().size() > 1 ? selection.multipath().toArray(Route[]::new) : null;
  }
}
