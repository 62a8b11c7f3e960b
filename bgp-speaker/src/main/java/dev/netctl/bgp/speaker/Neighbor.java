package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSpec;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.Objects;

/**
 * A configured peer: how to reach it ({@link PeerSpec}) and how its routes are treated.
 *
 * <p>A null policy means "none configured": iBGP then accepts everything, while eBGP exchanges
 * nothing in either direction (RFC 8212 §3). Configure {@link RoutePolicy#ACCEPT_ALL} (or a {@code
 * dev.netctl.bgp.policy.Policy}) to exchange routes with an eBGP peer.
 *
 * @param spec session parameters
 * @param routeReflectorClient whether we reflect routes for this peer (iBGP only, RFC 4456)
 * @param importPolicy applied to received routes, or null
 * @param exportPolicy applied to advertised routes, or null
 * @param ipv6NextHop the global IPv6 address we send as next hop of IPv6 routes over an IPv4
 *     session (RFC 2545 §2), or null for the speaker's default ({@link
 *     SpeakerConfig#ipv6NextHop()}); with neither, IPv6 unicast is not offered on an IPv4 session.
 *     An IPv6 session uses its own local address.
 * @param ipv4NextHop the IPv4 address we send as NEXT_HOP of IPv4 routes that need us as next hop
 *     (RFC 4271 §5.1.3), or null for the session's own local address: set it for an IPv6 session,
 *     which has no IPv4 address of its own (BIRD's {@code next hop address}); without it such a
 *     session sends only the IPv4 routes that keep another next hop ({@link Ipv4NextHop})
 */
public record Neighbor(
    PeerSpec spec,
    boolean routeReflectorClient,
    RoutePolicy importPolicy,
    RoutePolicy exportPolicy,
    Inet6Address ipv6NextHop,
    Inet4Address ipv4NextHop) {
  /** Validates. */
  public Neighbor {
    Objects.requireNonNull(spec, "spec");
    if (ipv6NextHop != null) {
      String problem = Ipv6NextHop.problem(ipv6NextHop);
      if (problem != null) {
        throw new IllegalArgumentException(
            "peer "
                + AddressText.of(spec.remote())
                + " ipv6NextHop "
                + AddressText.of(ipv6NextHop)
                + " "
                + problem);
      }
    }
    if (ipv4NextHop != null) {
      String problem = Ipv4NextHop.problem(ipv4NextHop);
      if (problem != null) {
        throw new IllegalArgumentException(
            "peer "
                + AddressText.of(spec.remote())
                + " ipv4NextHop "
                + AddressText.of(ipv4NextHop)
                + " "
                + problem);
      }
    }
    if (routeReflectorClient && !spec.config().internal()) {
      throw new IllegalArgumentException(
          "peer "
              + AddressText.of(spec.remote())
              + " routeReflectorClient=true needs an iBGP peer, but remote AS "
              + spec.config().remoteAs()
              + " differs from local AS "
              + spec.config().localAs());
    }
  }

  /** A peer without reflection or configured policies. */
  public static Neighbor of(PeerSpec spec) {
    return new Neighbor(spec, false, null, null, null, null);
  }

  /** The same peer with these import and export policies. */
  public Neighbor withPolicies(RoutePolicy importPolicy, RoutePolicy exportPolicy) {
    return new Neighbor(
        spec, routeReflectorClient, importPolicy, exportPolicy, ipv6NextHop, ipv4NextHop);
  }

  /** The same peer as a route-reflector client. */
  public Neighbor asReflectorClient() {
    return new Neighbor(spec, true, importPolicy, exportPolicy, ipv6NextHop, ipv4NextHop);
  }

  /** The same peer sending {@code address} as the next hop of IPv6 routes (RFC 2545 §2). */
  public Neighbor withIpv6NextHop(Inet6Address address) {
    return new Neighbor(
        spec, routeReflectorClient, importPolicy, exportPolicy, address, ipv4NextHop);
  }

  /**
   * The same peer sending {@code address} as NEXT_HOP of the IPv4 routes that need us as next hop
   * (RFC 4271 §5.1.3): what an IPv6 session needs to send them at all.
   */
  public Neighbor withIpv4NextHop(Inet4Address address) {
    return new Neighbor(
        spec, routeReflectorClient, importPolicy, exportPolicy, ipv6NextHop, address);
  }

  /** The same peer with other session parameters. */
  public Neighbor withSpec(PeerSpec other) {
    return new Neighbor(
        other, routeReflectorClient, importPolicy, exportPolicy, ipv6NextHop, ipv4NextHop);
  }
}
