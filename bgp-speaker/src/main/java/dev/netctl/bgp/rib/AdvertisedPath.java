package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.Prefix;

/**
 * A path as an update group sends it to one member (its Adj-RIB-Out), after the iBGP, reflection
 * and eBGP rules and the group's export policy, as returned by {@link Rib#advertised}.
 *
 * @param prefix the prefix
 * @param pathId our ADD-PATH id toward the member, 0 without ADD-PATH
 * @param attributes the attributes sent, next hop included
 */
public record AdvertisedPath(Prefix prefix, int pathId, AttributeSet attributes) {}
