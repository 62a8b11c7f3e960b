package dev.netctl.bgp.rib;

import java.net.InetAddress;

/**
 * Tells best-path selection whether a next hop can be reached and at what IGP cost (RFC 4271
 * §9.1.2.1). Called on RIB shard threads for every comparison, so it must be fast and thread-safe
 * (a lookup in an immutable map, typically). After its answers change, call {@link
 * Rib#refreshNextHops()}.
 */
@FunctionalInterface
public interface NextHopResolver {
  /** Every next hop reachable at cost 0: the right answer for directly connected peers. */
  NextHopResolver ALL_REACHABLE = nextHop -> State.REACHABLE;

  /**
   * The state of a next hop.
   *
   * @param reachable whether a route to it exists
   * @param igpCost the cost to reach it (lower is better)
   */
  record State(boolean reachable, long igpCost) {
    /** Reachable at cost 0. */
    public static final State REACHABLE = new State(true, 0);

    /** Not reachable. */
    public static final State UNREACHABLE = new State(false, Long.MAX_VALUE);
  }

  /** The state of {@code nextHop} (never null: routes without a next hop count as reachable). */
  State resolve(InetAddress nextHop);
}
