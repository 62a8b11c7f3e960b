package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.AttributeType;
import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.PathAttribute.ClusterList;
import dev.netctl.bgp.codec.PathAttribute.Communities;
import dev.netctl.bgp.codec.PathAttribute.LocalPref;
import dev.netctl.bgp.codec.PathAttribute.OriginatorId;
import dev.netctl.bgp.codec.PathAttribute.Segment;
import dev.netctl.bgp.codec.Prefix;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a Loc-RIB route becomes when sent to an update group: iBGP propagation and route reflection
 * rules (RFC 4271 §9.2, RFC 4456 §8), eBGP rewrites, then the group's export policy. A pure
 * function of the route and the group's profile, so it is computed once per group.
 *
 * <p>Split horizon (never back to the sending peer) is not decided here: a group has many peers, so
 * the {@link UpdateGroup} addresses such messages to all members but the source.
 */
final class ExportRules {
  private ExportRules() {}

  /** The attributes to advertise to the group, or empty when the route must not be sent. */
  static Optional<AttributeSet> apply(
      RibConfig config, OutboundProfile group, Prefix prefix, Route route) {
    return policy(group, prefix, route, rules(config, group, prefix.ipv6(), route));
  }

  /**
   * The export policy's verdict on what {@link #rules} produced ({@code attrs}, null for nothing),
   * and the final check that the route has a next hop.
   */
  static Optional<AttributeSet> policy(
      OutboundProfile group, Prefix prefix, Route route, AttributeSet attrs) {
    if (attrs == null) {
      return Optional.empty();
    }
    InetAddress self = prefix.ipv6() ? group.ipv6NextHopSelf() : group.ipv4NextHopSelf();
    InetAddress selfLinkLocal = prefix.ipv6() ? group.ipv6LinkLocalNextHopSelf() : null;
    Optional<AttributeSet> out =
        group
            .exportPolicy()
            .apply(
                prefix,
                attrs,
                new PolicyContext(
                    self,
                    selfLinkLocal,
                    route.attributes().nextHop(),
                    route.source().kind() == PeerKind.LOCAL));
    // Without a next hop the route cannot be put on the wire.
    return out.filter(a -> a.nextHop() != null);
  }

  /**
   * The AS_PATH without its confederation segments, as a route leaving for another AS carries it
   * (RFC 5065 §4.1, BIRD strips them the same way). This speaker is in no confederation, so such
   * segments can only come from an iBGP peer that is; they say nothing to an external peer.
   */
  private static AttributeSet withoutConfederationSegments(AttributeSet attrs) {
    List<Segment> segments = attrs.asPath().segments();
    for (Segment s : segments) {
      if (s.type().confederation()) {
        return attrs.with(
            new AsPath(segments.stream().filter(x -> !x.type().confederation()).toList()));
      }
    }
    return attrs;
  }

  /**
   * RFC 1997, as BIRD, FRR and GoBGP apply it before the export policy (a community the policy adds
   * is for the peer to honour): NO_ADVERTISE goes to no peer, NO_EXPORT and NO_EXPORT_SUBCONFED to
   * no eBGP peer (without confederations the AS is the boundary of both).
   */
  private static boolean wellKnownCommunitiesAllow(List<Integer> communities, boolean ibgp) {
    for (int c : communities) {
      if (c == Communities.NO_ADVERTISE
          || (!ibgp && (c == Communities.NO_EXPORT || c == Communities.NO_EXPORT_SUBCONFED))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The protocol's rules alone (no policy): a function of the group, the route's source and
   * attributes and its family only, so callers may remember the result. Null when the route is not
   * sent to the group.
   */
  static AttributeSet rules(RibConfig config, OutboundProfile group, boolean ipv6, Route route) {
    Peer source = route.source();
    AttributeSet attrs = route.attributes();
    if (!wellKnownCommunitiesAllow(attrs.communities(), group.ibgp())) {
      return null;
    }
    InetAddress original = attrs.nextHop();
    InetAddress self = ipv6 ? group.ipv6NextHopSelf() : group.ipv4NextHopSelf();
    InetAddress selfLinkLocal = ipv6 ? group.ipv6LinkLocalNextHopSelf() : null;
    if (group.ibgp()) {
      if (source.kind() == PeerKind.IBGP) {
        // iBGP-learned routes go to iBGP peers only by reflection (RFC 4456 §8): client routes
        // to everyone, non-client routes to clients only.
        if (!source.routeReflectorClient() && !group.routeReflectorClient()) {
          return null;
        }
        List<Inet4Address> clusters = new ArrayList<>();
        clusters.add(config.clusterId());
        clusters.addAll(attrs.clusterList());
        ClusterList clusterList = new ClusterList(clusters);
        // One set made and interned per reflected set, not an intermediate one as well.
        attrs =
            attrs.originatorId() < 0
                ? attrs.with(new OriginatorId(source.routerId()), clusterList)
                : attrs.with(clusterList);
        // The next hop is left alone on reflection, but for a link-local one (below).
      } else {
        if (attrs.localPref() < 0) {
          attrs = attrs.with(new LocalPref(AttributeSet.DEFAULT_LOCAL_PREF));
        }
        if (attrs.nextHop() == null) {
          attrs = attrs.withNextHop(self, selfLinkLocal);
        }
      }
      // A received IPv6 next hop passed on keeps its global address only: its link-local one names
      // an interface of the link to the peer it came from, which the iBGP peer need not share
      // (RFC 2545 §3: included only when both share that subnet), as BIRD and FRR send it.
      if (attrs.linkLocalNextHop() != null && attrs.nextHop() == original) {
        attrs = attrs.withNextHop(original, null);
      }
    } else {
      attrs =
          withoutConfederationSegments(attrs)
              .filter(
                  a ->
                      !a.type().equals(AttributeType.LOCAL_PREF)
                          && !a.type().equals(AttributeType.ORIGINATOR_ID)
                          && !a.type().equals(AttributeType.CLUSTER_LIST)
                          // A received MED is not passed to another AS (RFC 4271 §5.1.4);
                          // our own may be.
                          && (source.kind() == PeerKind.LOCAL
                              || !a.type().equals(AttributeType.MULTI_EXIT_DISC)))
              .prependAs(config.localAs(), 1);
      // Our own route with an explicit next hop (a third-party next hop the operator chose) keeps
      // it; everything else gets next-hop self on eBGP.
      if (source.kind() != PeerKind.LOCAL || original == null) {
        attrs = attrs.withNextHop(self, selfLinkLocal);
      }
    }
    return attrs;
  }
}
