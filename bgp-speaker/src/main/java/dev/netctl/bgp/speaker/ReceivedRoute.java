package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.rib.AttributeSet;
import dev.netctl.bgp.rib.PeerKind;
import dev.netctl.bgp.rib.Route;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A route in a peer's Adj-RIB-In.
 *
 * @param peer the peer it came from
 * @param nlri the prefix and path id
 * @param nextHop NEXT_HOP, or the MP_REACH next hop for other families
 * @param attributes path attributes without MP_REACH/MP_UNREACH
 * @param stale kept from before the peer's graceful restart (RFC 4724 §4.2) or enhanced route
 *     refresh (RFC 7313 §4) and not sent again yet
 */
public record ReceivedRoute(
    InetAddress peer,
    Nlri nlri,
    InetAddress nextHop,
    List<PathAttribute> attributes,
    boolean stale) {
  /** Validates and copies. */
  public ReceivedRoute {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(nlri, "nlri");
    attributes = List.copyOf(attributes);
  }

  /** The first attribute of a type. */
  public <A extends PathAttribute> Optional<A> attribute(Class<A> type) {
    return attributes.stream().filter(type::isInstance).map(type::cast).findFirst();
  }

  /** A Loc-RIB path; our own routes get the unspecified address as their peer. */
  static ReceivedRoute from(Route r, Prefix prefix) {
    InetAddress from =
        r.source().kind() == PeerKind.LOCAL ? unspecified(prefix) : r.source().address();
    return from(from, prefix, r.pathId(), r.attributes(), false);
  }

  /** A path as the RIB stores it: an IPv4 route's next hop is listed as NEXT_HOP too. */
  static ReceivedRoute from(
      InetAddress peer, Prefix prefix, int pathId, AttributeSet attrs, boolean stale) {
    List<PathAttribute> list = new ArrayList<>(attrs.attributes());
    if (!prefix.ipv6() && attrs.nextHop() instanceof Inet4Address v4) {
      list.add(new PathAttribute.NextHop(v4));
    }
    return new ReceivedRoute(peer, new Nlri(pathId, prefix), attrs.nextHop(), list, stale);
  }

  private static InetAddress unspecified(Prefix prefix) {
    try {
      return InetAddress.getByAddress(new byte[prefix.ipv6() ? 16 : 4]);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "ReceivedRoute[peer="
        + AddressText.of(peer)
        + ", nlri="
        + nlri
        + ", nextHop="
        + AddressText.of(nextHop)
        + ", attributes="
        + attributes
        + ", stale="
        + stale
        + "]";
  }
}
