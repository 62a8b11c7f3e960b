package dev.netctl.bgp.rib;

/**
 * The step of best-path selection that decided between two paths, in evaluation order (BIRD's
 * order, RFC 4271 §9.1.2.2 with RFC 4456 §9 additions). Steps after {@link #IGP_COST} only break
 * ties between paths that are equal for multipath purposes.
 */
public enum BestPathReason {
  /** One next hop is reachable, the other is not. */
  NEXT_HOP_REACHABILITY,
  /** Higher LOCAL_PREF wins. */
  LOCAL_PREF,
  /** Shorter AS_PATH wins (an AS_SET counts one). */
  AS_PATH_LENGTH,
  /** Lower ORIGIN wins (IGP &lt; EGP &lt; INCOMPLETE). */
  ORIGIN,
  /** Lower MED wins, compared only between paths from the same neighbour AS unless configured. */
  MED,
  /** A path learned by eBGP (or originated locally) beats one learned by iBGP. */
  EBGP_OVER_IBGP,
  /** Lower IGP cost to the next hop wins. */
  IGP_COST,
  /** Lower ORIGINATOR_ID, or router id of the sending peer when absent, wins. */
  ROUTER_ID,
  /** Shorter CLUSTER_LIST wins. */
  CLUSTER_LIST_LENGTH,
  /** Lower peer address wins. */
  PEER_ADDRESS,
  /** Same peer with ADD-PATH: lower received path id wins (keeps the choice deterministic). */
  PATH_ID,
  /** The paths are indistinguishable. */
  EQUAL;

  /** Whether two paths decided by this step are equal-cost for multipath (ECMP). */
  public boolean multipathEqual() {
    return ordinal() > IGP_COST.ordinal();
  }
}
