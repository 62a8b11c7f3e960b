/**
 * The speaker facade: peers at runtime ({@link dev.netctl.bgp.speaker.Neighbor} with reflector flag
 * and policies), local origination, route queries and best-path subscriptions. Sessions run on one
 * event loop thread; routes live in {@link dev.netctl.bgp.rib.Rib}, and peers are fed from its
 * shared update groups by {@link dev.netctl.bgp.speaker.GroupWriter} (encode once, write to every
 * member).
 */
package dev.netctl.bgp.speaker;
