package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.CodecContext;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Set;

/**
 * Everything that decides what a peer is sent, and nothing else: peers with equal profiles share
 * one {@link UpdateGroup}, which computes and encodes each change once for all of them.
 *
 * <p>The next-hop-self addresses are part of the profile because next-hop self rewrites the route
 * (eBGP always does); peers reached from different local addresses therefore land in different
 * groups. Route-reflector clients of one reflector normally share the local address, so they share
 * a group.
 *
 * @param kind EBGP or IBGP
 * @param routeReflectorClient whether the peers are our reflector clients (iBGP only)
 * @param codec negotiated wire format: 4-octet AS, ADD-PATH send families, max message size
 * @param families negotiated address families
 * @param exportPolicy the configured export policy, or null for none (RFC 8212 applies)
 * @param ipv4NextHopSelf our IPv4 address toward these peers, or null
 * @param ipv6NextHopSelf our global IPv6 address toward these peers, or null
 * @param ipv6LinkLocalNextHopSelf our link-local IPv6 address toward these peers, or null
 */
public record OutboundProfile(
    PeerKind kind,
    boolean routeReflectorClient,
    CodecContext codec,
    Set<AddressFamily> families,
    RoutePolicy exportPolicy,
    InetAddress ipv4NextHopSelf,
    InetAddress ipv6NextHopSelf,
    InetAddress ipv6LinkLocalNextHopSelf) {
  /** Validates, copies, and replaces a missing policy by the RFC 8212 default. */
  public OutboundProfile {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(codec, "codec");
    if (kind == PeerKind.LOCAL) {
      throw new IllegalArgumentException("outbound profile kind must be EBGP or IBGP, not LOCAL");
    }
    if (routeReflectorClient && kind != PeerKind.IBGP) {
      throw new IllegalArgumentException(
          "outbound profile: routeReflectorClient requires kind IBGP, got " + kind);
    }
    families = Set.copyOf(families);
    exportPolicy = RoutePolicy.effective(exportPolicy, kind == PeerKind.IBGP);
  }

  /** Whether the peers are in our AS. */
  public boolean ibgp() {
    return kind == PeerKind.IBGP;
  }

  /** Whether paths of {@code family} are sent with ADD-PATH ids (all paths, RFC 7911). */
  public boolean addPath(AddressFamily family) {
    return codec.addPath(family);
  }
}
