package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.Prefix;
import java.util.List;

/**
 * A Loc-RIB entry as returned by queries: a copy, safe to keep.
 *
 * @param prefix the prefix
 * @param best the best path, or null when none is usable
 * @param multipath the ECMP set, best first
 * @param paths every candidate path in canonical order
 */
public record RibEntry(Prefix prefix, Route best, List<Route> multipath, List<Route> paths) {
  /** Copies. */
  public RibEntry {
    multipath = List.copyOf(multipath);
    paths = List.copyOf(paths);
  }
}
