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
    if (attrs == null || acceptsAll(group)) {
      return Optional.ofNullable(sendable(attrs));
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
   * Whether the group's export policy takes every route as it is, so that {@link #policy} is only
   * the next-hop check (see {@link #sendable}): an iBGP group without configured policy, what a
   * reflector's clients are. The caller then needs no prefix, context or Optional per new set.
   */
  static boolean acceptsAll(OutboundProfile group) {
    return group.exportPolicy() instanceof RoutePolicy.Named n && n.accept();
  }

  /** {@code attrs} when it can go on the wire (it has a next hop), else null. */
  static AttributeSet sendable(AttributeSet attrs) {
    return attrs != null && attrs.nextHop() != null ? attrs : null;
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
  private static boolean wellKnownCommunitiesAllow(Communities communities, boolean ibgp) {
    if (communities == null) {
      return true;
    }
    // value(i), not a for-each over values(): the list holds ints, and each read would box one.
    for (int i = 0, n = communities.values().size(); i < n; i++) {
      int c = communities.value(i);
      if (c == Communities.NO_ADVERTISE
          || (!ibgp && (c == Communities.NO_EXPORT || c == Communities.NO_EXPORT_SUBCONFED))) {
        return false;
      }
    }
    return true;
  }

  // The CLUSTER_LIST of our cluster id alone and the ORIGINATOR_ID last added: what nearly every
  // reflected route gets (routes from clients carry neither), made once rather than per new set
  // reflected (a thousand per churn, with a list each). Plain fields shared by the shards: the
  // records are immutable (final fields), so a racing reader sees a complete one or the previous
  // one, and a lost write only costs making it again.
  private static ClusterList ownClusterOnly;
  private static OriginatorId lastOriginator;

  /** The reflected route's CLUSTER_LIST: our cluster id prepended to the received one (§8). */
  private static ClusterList reflectedClusterList(Inet4Address clusterId, AttributeSet attrs) {
    if (attrs.clusterListLength() == 0) {
      ClusterList own = ownClusterOnly;
      if (own == null || !own.clusterIds().get(0).equals(clusterId)) {
        own = new ClusterList(List.of(clusterId));
        ownClusterOnly = own;
      }
      return own;
    }
    List<Inet4Address> received = attrs.clusterList();
    Inet4Address[] ids = new Inet4Address[received.size() + 1];
    ids[0] = clusterId;
    for (int i = 1; i < ids.length; i++) {
      ids[i] = received.get(i - 1);
    }
    // An immutable list, which the record's List.copyOf keeps as it is.
    return new ClusterList(List.of(ids));
  }

  /** The ORIGINATOR_ID of a route reflected from a peer with this router id (RFC 4456 §8). */
  private static OriginatorId originatorId(Inet4Address routerId) {
    OriginatorId last = lastOriginator;
    if (last == null || !last.id().equals(routerId)) {
      last = new OriginatorId(routerId);
      lastOriginator = last;
    }
    return last;
  }

  /**
   * The protocol's rules alone (no policy): a function of the group, the route's source and
   * attributes and its family only, so callers may remember the result. Null when the route is not
   * sent to the group.
   */
  static AttributeSet rules(RibConfig config, OutboundProfile group, boolean ipv6, Route route) {
    Peer source = route.source();
    AttributeSet attrs = route.attributes();
    if (!wellKnownCommunitiesAllow(attrs.communitiesAttribute(), group.ibgp())) {
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
        ClusterList clusterList = reflectedClusterList(config.clusterId(), attrs);
        // One set made and interned per reflected set, not an intermediate one as well.
        attrs =
            attrs.originatorId() < 0
                ? attrs.with(originatorId(source.routerId()), clusterList)
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
