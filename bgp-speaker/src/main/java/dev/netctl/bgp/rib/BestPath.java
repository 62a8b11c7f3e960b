package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.List;

/**
 * Best-path selection: a pairwise comparison that says which path wins and why, and the selection
 * of the best path and its ECMP set from a destination's candidates.
 *
 * <p>Order (BIRD's): reachable next hop, higher LOCAL_PREF, shorter AS_PATH, lower ORIGIN, lower
 * MED (same neighbour AS only unless {@code alwaysCompareMed}), eBGP over iBGP, lower IGP cost,
 * lower ORIGINATOR_ID/router id, shorter CLUSTER_LIST, lower peer address, then lower path id.
 *
 * <p>MED makes the relation non-transitive, so {@link #select} scans candidates in a fixed
 * canonical order (peer address, then path id) rather than sorting: the result depends only on the
 * set of candidates, never on arrival order.
 *
 * @param resolver next-hop reachability and IGP cost
 * @param alwaysCompareMed compare MED across neighbour ASes
 * @param maxPaths the largest multipath set, at least 1
 */
public record BestPath(NextHopResolver resolver, boolean alwaysCompareMed, int maxPaths) {
  /**
   * The outcome of comparing two paths.
   *
   * @param preferFirst whether the first path is preferred (true on {@link BestPathReason#EQUAL})
   * @param reason the step that decided
   */
  public record Decision(boolean preferFirst, BestPathReason reason) {}

  /**
   * A destination's selection.
   *
   * @param best the best path, or null when no candidate is usable
   * @param multipath the ECMP set, best first; empty when there is no best
   */
  public record Selection(Route best, List<Route> multipath) {
    /** No usable path. */
    public static final Selection NONE = new Selection(null, List.of());
  }

  /** Validates. */
  public BestPath {
    if (maxPaths < 1) {
      throw new IllegalArgumentException("best path maxPaths " + maxPaths + " must be at least 1");
    }
  }

  /** Compares two paths to the same prefix. */
  public Decision compare(Route a, Route b) {
    AttributeSet x = a.attributes();
    AttributeSet y = b.attributes();
    NextHopResolver.State sx = state(x);
    NextHopResolver.State sy = state(y);
    if (sx.reachable() != sy.reachable()) {
      return new Decision(sx.reachable(), BestPathReason.NEXT_HOP_REACHABILITY);
    }
    if (x.effectiveLocalPref() != y.effectiveLocalPref()) {
      return new Decision(
          x.effectiveLocalPref() > y.effectiveLocalPref(), BestPathReason.LOCAL_PREF);
    }
    if (x.asPathLength() != y.asPathLength()) {
      return new Decision(x.asPathLength() < y.asPathLength(), BestPathReason.AS_PATH_LENGTH);
    }
    if (x.origin() != y.origin()) {
      return new Decision(x.origin().ordinal() < y.origin().ordinal(), BestPathReason.ORIGIN);
    }
    if (alwaysCompareMed || x.neighbourAs() == y.neighbourAs()) {
      // A missing MED is the best value (RFC 4271 §9.1.2.2 c).
      long mx = Math.max(0, x.med());
      long my = Math.max(0, y.med());
      if (mx != my) {
        return new Decision(mx < my, BestPathReason.MED);
      }
    }
    boolean ix = a.source().kind() == PeerKind.IBGP;
    boolean iy = b.source().kind() == PeerKind.IBGP;
    if (ix != iy) {
      return new Decision(!ix, BestPathReason.EBGP_OVER_IBGP);
    }
    if (sx.igpCost() != sy.igpCost()) {
      return new Decision(sx.igpCost() < sy.igpCost(), BestPathReason.IGP_COST);
    }
    long rx = routerId(a);
    long ry = routerId(b);
    if (rx != ry) {
      return new Decision(rx < ry, BestPathReason.ROUTER_ID);
    }
    if (x.clusterListLength() != y.clusterListLength()) {
      return new Decision(
          x.clusterListLength() < y.clusterListLength(), BestPathReason.CLUSTER_LIST_LENGTH);
    }
    int byAddress = RibAddresses.compare(a.source().address(), b.source().address());
    if (byAddress != 0) {
      return new Decision(byAddress < 0, BestPathReason.PEER_ADDRESS);
    }
    if (a.pathId() != b.pathId()) {
      return new Decision(
          Integer.compareUnsigned(a.pathId(), b.pathId()) < 0, BestPathReason.PATH_ID);
    }
    return new Decision(true, BestPathReason.EQUAL);
  }

  /**
   * Selects the best path and its multipath set from candidates given in canonical order (see
   * {@link #canonicalOrder}). Paths with an unreachable next hop are never selected.
   */
  public Selection select(List<Route> candidates) {
    Route best = null;
    for (Route r : candidates) {
      if (best == null || !compare(best, r).preferFirst()) {
        best = r;
      }
    }
    if (best == null || !state(best.attributes()).reachable()) {
      return Selection.NONE;
    }
    if (maxPaths == 1) {
      return new Selection(best, List.of(best));
    }
    List<Route> multipath = new ArrayList<>();
    multipath.add(best);
    for (Route r : candidates) {
      if (multipath.size() >= maxPaths) {
        break;
      }
      if (r != best && compare(best, r).reason().multipathEqual()) {
        multipath.add(r);
      }
    }
    return new Selection(best, List.copyOf(multipath));
  }

  /**
   * Whether a path with these attributes can be selected: as the only candidate it is then the best
   * path and its own multipath set (what {@link #select} returns for one candidate).
   */
  public boolean usable(AttributeSet attributes) {
    return state(attributes).reachable();
  }

  /** The canonical candidate order: peer address, then path id. */
  public static int canonicalOrder(Route a, Route b) {
    int c = RibAddresses.compare(a.source().address(), b.source().address());
    return c != 0 ? c : Integer.compareUnsigned(a.pathId(), b.pathId());
  }

  // Our own routes may have no next hop yet (export sets next-hop self): always usable.
  private NextHopResolver.State state(AttributeSet a) {
    return a.nextHop() == null ? NextHopResolver.State.REACHABLE : resolver.resolve(a.nextHop());
  }

  private static long routerId(Route r) {
    long originator = r.attributes().originatorId();
    return originator >= 0
        ? originator
        : Integer.toUnsignedLong(Prefix.ipv4Int(r.source().routerId()));
  }
}
