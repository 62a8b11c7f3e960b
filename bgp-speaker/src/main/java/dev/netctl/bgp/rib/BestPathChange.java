package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.Prefix;
import java.util.List;
import java.util.Objects;

/**
 * A change of a prefix's selected path or ECMP set, as told to {@link RouteSink}s.
 *
 * @param prefix the prefix
 * @param best the new best path, or null when the prefix is no longer reachable
 * @param multipath the ECMP set, best first (empty when withdrawn)
 */
public record BestPathChange(Prefix prefix, Route best, List<Route> multipath) {
  /** Validates and copies. */
  public BestPathChange {
    Objects.requireNonNull(prefix, "prefix");
    multipath = List.copyOf(multipath);
  }

  /** Whether the prefix lost its last usable path. */
  public boolean withdrawn() {
    return best == null;
  }
}
