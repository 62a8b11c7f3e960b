package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.AttributeType;
import dev.netctl.bgp.codec.Prefix;
import java.util.Optional;

/**
 * What happens to a received route before it may enter the Loc-RIB: protocol loop checks, removal
 * of attributes the sender had no business sending, then the peer's import policy.
 */
final class ImportRules {
  private ImportRules() {}

  /** The attributes to store in the Loc-RIB, or empty when the route is not usable. */
  static Optional<AttributeSet> apply(
      RibConfig config, Peer peer, RoutePolicy policy, Prefix prefix, AttributeSet received) {
    // Unrecognized attributes as they may be passed on (RFC 4271 §5), whoever gets the route.
    AttributeSet attrs = received.unrecognizedForwarded();
    if (loops(config, peer, attrs)) {
      return Optional.empty();
    }
    switch (peer.kind()) {
      case EBGP -> {
        // LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST are iBGP-only (RFC 4271 §5.1.5, RFC 4456 §8).
        attrs =
            attrs.filter(
                a ->
                    !a.type().equals(AttributeType.LOCAL_PREF)
                        && !a.type().equals(AttributeType.ORIGINATOR_ID)
                        && !a.type().equals(AttributeType.CLUSTER_LIST));
      }
      case IBGP -> {
        // Reflection loops (RFC 4456 §8): our own route came back, or it passed our cluster.
        long me = Integer.toUnsignedLong(Prefix.ipv4Int(config.routerId()));
        if (attrs.originatorId() == me || attrs.clusterList().contains(config.clusterId())) {
          return Optional.empty();
        }
      }
      case LOCAL -> {}
    }
    return policy.apply(prefix, attrs, new PolicyContext(null, null, received.nextHop()));
  }

  /**
   * Whether a route from {@code peer} looped: our own AS in its path (RFC 4271 §9.1.2), from an
   * external or an internal peer alike, unless the peer may send it that often (a site of ours
   * behind a provider that sees one AS everywhere).
   */
  static boolean loops(RibConfig config, Peer peer, AttributeSet attrs) {
    return peer.kind() != PeerKind.LOCAL && peer.loops(attrs.asPathCount(config.localAs()));
  }
}
