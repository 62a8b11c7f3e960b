package dev.netctl.bgp.rib;

import java.net.InetAddress;

/**
 * Session facts a policy may use while rewriting a route.
 *
 * @param selfNextHop our address toward the peer, used for next-hop self (null if unknown)
 * @param selfLinkLocalNextHop our IPv6 link-local address toward the peer, or null
 * @param originalNextHop the next hop the route had before this speaker touched it, used to keep it
 *     unchanged (null for locally originated routes)
 * @param localRoute whether the route is one this speaker originated rather than one learned from a
 *     peer (export only; a filter on "routes from remote peers" needs it)
 */
public record PolicyContext(
    InetAddress selfNextHop,
    InetAddress selfLinkLocalNextHop,
    InetAddress originalNextHop,
    boolean localRoute) {
  /** A context with nothing to offer: next-hop self and keep leave the next hop unchanged. */
  public static final PolicyContext NONE = new PolicyContext(null, null, null);

  /** A context for a route learned from a peer. */
  public PolicyContext(
      InetAddress selfNextHop, InetAddress selfLinkLocalNextHop, InetAddress originalNextHop) {
    this(selfNextHop, selfLinkLocalNextHop, originalNextHop, false);
  }
}
