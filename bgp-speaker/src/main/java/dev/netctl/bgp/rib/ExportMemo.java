package dev.netctl.bgp.rib;

import java.util.HashMap;
import java.util.Map;

/**
 * Remembers what {@link ExportRules#rules} made of an attribute set, per shard: the rules depend
 * only on the group's profile, the route's source, its (interned) attributes and its family, and a
 * reflector with a million routes over a thousand attribute sets would otherwise build and intern
 * the same reflected set (ORIGINATOR_ID and CLUSTER_LIST added) a million times.
 *
 * <p>Bounded: cleared when it reaches {@link #LIMIT} entries, so churn through many attribute sets
 * costs recomputation, never memory. Owned by one shard thread.
 */
final class ExportMemo {
  static final int LIMIT = 16_384;

  // Stands for "not exported", as the map cannot hold null values.
  private static final AttributeSet NOT_EXPORTED =
      new AttributeSet(java.util.List.of(), null, null);

  private static final class Key {
    final OutboundProfile profile;
    final Peer source;
    final AttributeSet attributes;
    final boolean ipv6;
    final int hash;

    Key(OutboundProfile profile, Peer source, AttributeSet attributes, boolean ipv6) {
      this.profile = profile;
      this.source = source;
      this.attributes = attributes;
      this.ipv6 = ipv6;
      // Profiles and attribute sets are compared by identity: groups keep their profile object,
      // and attribute sets are interned.
      this.hash =
          ((System.identityHashCode(profile) * 31 + System.identityHashCode(attributes)) * 31
                      + source.hashCode())
                  * 2
              + (ipv6 ? 1 : 0);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.profile == profile
          && k.attributes == attributes
          && k.ipv6 == ipv6
          && (k.source == source || k.source.equals(source));
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private final RibConfig config;
  private final Map<Key, AttributeSet> memo = new HashMap<>();
  // The last answer, checked before the map: consecutive changes mostly come from one UPDATE.
  private OutboundProfile lastProfile;
  private Peer lastSource;
  private AttributeSet lastAttributes;
  private boolean lastIpv6;
  private AttributeSet lastOut;

  ExportMemo(RibConfig config) {
    this.config = config;
  }

  /** {@link ExportRules#rules} for the route, or null when it is not exported to the group. */
  AttributeSet rules(OutboundProfile profile, boolean ipv6, Route route) {
    if (profile == lastProfile
        && route.attributes() == lastAttributes
        && route.source() == lastSource
        && ipv6 == lastIpv6) {
      return lastOut == NOT_EXPORTED ? null : lastOut;
    }
    Key key = new Key(profile, route.source(), route.attributes(), ipv6);
    AttributeSet out = memo.get(key);
    if (out == null) {
      if (memo.size() >= LIMIT) {
        memo.clear();
      }
      AttributeSet computed = ExportRules.rules(config, profile, ipv6, route);
      out = computed == null ? NOT_EXPORTED : computed;
      memo.put(key, out);
    }
    lastProfile = profile;
    lastSource = route.source();
    lastAttributes = route.attributes();
    lastIpv6 = ipv6;
    lastOut = out;
    return out == NOT_EXPORTED ? null : out;
  }
}
