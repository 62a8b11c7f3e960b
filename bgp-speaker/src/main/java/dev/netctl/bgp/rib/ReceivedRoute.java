package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.Prefix;

/**
 * A path as a peer sent it (Adj-RIB-In, before import policy), as returned by queries.
 *
 * @param prefix the prefix
 * @param pathId the peer's ADD-PATH id, 0 without ADD-PATH
 * @param attributes the received attributes
 * @param stale kept from before a graceful restart (RFC 4724 §4.2) or an enhanced route refresh
 *     (RFC 7313 §4) and not yet sent again by the peer
 */
public record ReceivedRoute(Prefix prefix, int pathId, AttributeSet attributes, boolean stale) {}
