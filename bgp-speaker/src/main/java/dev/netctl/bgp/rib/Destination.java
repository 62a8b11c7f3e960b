package dev.netctl.bgp.rib;

import java.util.List;

/**
 * The Loc-RIB state of one prefix on its shard: candidate paths in canonical order, the selected
 * best path and the ECMP set. Mutable, owned by one shard thread; a single path is stored without
 * an array because that is the common case a million times over.
 */
final class Destination {
  private static final Route[] NONE = new Route[0];

  private Object paths = NONE; // Route, or Route[] in canonical order
  private Route best;
  private Route[] multipath; // null when the set is the best path alone (or empty)

  Route[] paths() {
    return paths instanceof Route r ? new Route[] {r} : (Route[]) paths;
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
