package dev.netctl.bgp.rib;

import java.net.Inet4Address;
import java.util.Objects;

/**
 * Speaker-wide facts the table layer needs.
 *
 * @param localAs our AS number
 * @param routerId our BGP identifier (also ORIGINATOR_ID loop detection, RFC 4456 §8)
 * @param clusterId our route-reflection cluster id (RFC 4456 §7); the router id when null
 * @param alwaysCompareMed compare MED between paths from different neighbour ASes
 * @param maxPaths the largest ECMP set reported to route sinks, at least 1
 * @param shards number of Loc-RIB shards (threads), at least 1
 */
public record RibConfig(
    long localAs,
    Inet4Address routerId,
    Inet4Address clusterId,
    boolean alwaysCompareMed,
    int maxPaths,
    int shards) {
  /** Validates; a null cluster id becomes the router id. */
  public RibConfig {
    Objects.requireNonNull(routerId, "routerId");
    clusterId = clusterId == null ? routerId : clusterId;
    if (localAs <= 0 || localAs > 0xffffffffL) {
      throw new IllegalArgumentException("rib localAs " + localAs + " is outside 1..4294967295");
    }
    if (maxPaths < 1 || shards < 1) {
      throw new IllegalArgumentException(
          "rib maxPaths " + maxPaths + " and shards " + shards + " must each be at least 1");
    }
  }

  /** A configuration with defaults: cluster id = router id, no always-compare-MED, one path. */
  public static RibConfig of(long localAs, Inet4Address routerId, int shards) {
    return new RibConfig(localAs, routerId, null, false, 1, shards);
  }
}
