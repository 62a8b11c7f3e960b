package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import java.net.InetAddress;
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
}
