package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSpec;
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
 */
public record Neighbor(
    PeerSpec spec,
    boolean routeReflectorClient,
    RoutePolicy importPolicy,
    RoutePolicy exportPolicy) {
  /** Validates. */
  public Neighbor {
    Objects.requireNonNull(spec, "spec");
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
    return new Neighbor(spec, false, null, null);
  }

  /** The same peer with these import and export policies. */
  public Neighbor withPolicies(RoutePolicy importPolicy, RoutePolicy exportPolicy) {
    return new Neighbor(spec, routeReflectorClient, importPolicy, exportPolicy);
  }

  /** The same peer as a route-reflector client. */
  public Neighbor asReflectorClient() {
    return new Neighbor(spec, true, importPolicy, exportPolicy);
  }
}
