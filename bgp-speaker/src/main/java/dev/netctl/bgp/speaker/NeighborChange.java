package dev.netctl.bgp.speaker;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What differs between a peer's running and new configuration, and so what applying it takes.
 * Policies apply to a running session: the import policy to the Adj-RIB-In, which keeps routes as
 * received (soft reconfiguration), the export policy by moving the peer to another update group.
 * Everything negotiated in the OPEN or fixed for the TCP connection (AS, addresses, port, hold
 * time, families, password, TTL security, ADD-PATH, graceful restart, ...) needs a new session.
 *
 * <p>The route-reflector-client role applies to the running session too, but touches both
 * directions: the RIB keys the peer's paths by the peer with its role (their reflection to others
 * depends on it), and the peer's outbound profile includes it.
 *
 * @param session fields that reset the session, empty when none changed
 * @param importPolicy whether the import policy changed
 * @param exportPolicy whether the export policy changed
 * @param reflectorClient whether the route-reflector-client role changed
 */
record NeighborChange(
    List<String> session, boolean importPolicy, boolean exportPolicy, boolean reflectorClient) {
  NeighborChange {
    session = List.copyOf(session);
  }

  /** Compares the running configuration with the new one (same peer address). */
  static NeighborChange between(Neighbor running, Neighbor next) {
    List<String> session = new ArrayList<>();
    if (!running.spec().equals(next.spec())) {
      session.add("session parameters");
    }
    if (!Objects.equals(running.ipv6NextHop(), next.ipv6NextHop())) {
      // It decides whether IPv6 unicast is offered at all.
      session.add("ipv6NextHop");
    }
    if (!Objects.equals(running.ipv4NextHop(), next.ipv4NextHop())) {
      // The NEXT_HOP of every IPv4 route the peer has from us, and its update group.
      session.add("ipv4NextHop");
    }
    return new NeighborChange(
        session,
        !Objects.equals(running.importPolicy(), next.importPolicy()),
        !Objects.equals(running.exportPolicy(), next.exportPolicy()),
        running.routeReflectorClient() != next.routeReflectorClient());
  }

  /** Whether the session must be reset. */
  boolean resetsSession() {
    return !session.isEmpty();
  }
}
