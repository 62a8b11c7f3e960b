package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A route in a peer's Adj-RIB-Out: what the speaker sends it, after export policy.
 *
 * @param peer the peer it is advertised to
 * @param nlri the prefix and our ADD-PATH id (0 without ADD-PATH)
 * @param nextHop the next hop sent
 * @param attributes path attributes as sent, with NEXT_HOP for IPv4 and without MP_REACH
 */
public record AdvertisedRoute(
    InetAddress peer, Nlri nlri, InetAddress nextHop, List<PathAttribute> attributes) {
  /** Validates and copies. */
  public AdvertisedRoute {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(nlri, "nlri");
    attributes = List.copyOf(attributes);
  }

  /** The first attribute of a type. */
  public <A extends PathAttribute> Optional<A> attribute(Class<A> type) {
    return attributes.stream().filter(type::isInstance).map(type::cast).findFirst();
  }

  @Override
  public String toString() {
    return "AdvertisedRoute[peer="
        + AddressText.of(peer)
        + ", nlri="
        + nlri
        + ", nextHop="
        + AddressText.of(nextHop)
        + ", attributes="
        + attributes
        + "]";
  }
}
