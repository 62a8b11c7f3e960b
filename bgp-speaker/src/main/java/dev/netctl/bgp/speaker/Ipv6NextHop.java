package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.rib.NextHopResolver;
import dev.netctl.bgp.session.PeerSpec;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.Set;

/**
 * The next hop of IPv6 routes (RFC 2545 §2): a global IPv6 address, optionally followed by a
 * link-local one. An IPv6 session sends its own local address. An IPv4 session has no IPv6 address
 * of its own: the IPv4-mapped form {@code ::ffff:a.b.c.d} is not a usable IPv6 unicast next hop
 * (BIRD treats it as a withdraw, FRR accepts it only for 6PE, RFC 4798, with labels), so such a
 * session needs a configured address, and without one it does not offer IPv6 unicast at all.
 */
public final class Ipv6NextHop {
  private Ipv6NextHop() {}

  /**
   * What a peer's session runs with.
   *
   * @param spec the spec to connect with: the configured one, less IPv6 unicast when there is no
   *     next hop for it
   * @param notice why a configured family is not offered, or empty
   */
  record Session(PeerSpec spec, String notice) {}

  /**
   * Next hops as best-path selection sees them: all reachable (peers are directly connected) but
   * two kinds of IPv6 next hop we cannot forward to. An IPv4-mapped one (RFC 2545 §2; without 6PE's
   * labels, RFC 4798, it names no IPv6 interface). A link-local one in the global address's place,
   * the only next hop of the route: RFC 2545 §2 requires the global address and allows a link-local
   * one only after it, and a link-local address means nothing without the interface it was learnt
   * on, which a session to a configured (never link-local) address does not give (ExaBGP sends such
   * a route when told {@code next-hop fe80::…}). Such a route stays in the peer's Adj-RIB-In,
   * visible, and is never selected, installed or passed on. The link-local address that follows a
   * global one is not asked about: the global one is the next hop.
   */
  static final NextHopResolver RESOLVER =
      nextHop ->
          mapped(nextHop) || nextHop instanceof Inet6Address v6 && v6.isLinkLocalAddress()
              ? NextHopResolver.State.UNREACHABLE
              : NextHopResolver.State.REACHABLE;

  /** Why {@code address} cannot be an IPv6 next hop we send, or null when it can. */
  public static String problem(Inet6Address address) {
    if (address.isAnyLocalAddress()) {
      return "must not be the unspecified address :: (RFC 2545 §2: a global IPv6 address)";
    }
    if (address.isMulticastAddress()) {
      return "must be a unicast address, not multicast (RFC 2545 §2)";
    }
    if (address.isLinkLocalAddress()) {
      return "must be a global IPv6 address, not link-local (RFC 2545 §2: the link-local one only"
          + " follows a global one)";
    }
    if (mapped(address)) {
      return "must be a real IPv6 address, not IPv4-mapped (RFC 2545 §2; ::ffff:a.b.c.d is a 6PE"
          + " next hop, RFC 4798)";
    }
    return null;
  }

  /**
   * The peer's notice for IPv6 routes received with {@code nextHop} first, when {@link #RESOLVER}
   * makes them unusable (kept, never selected); null for a usable next hop.
   */
  static String unusable(InetAddress nextHop) {
    if (mapped(nextHop)) {
      return "ipv6 routes with the IPv4-mapped next hop "
          + AddressText.of(nextHop)
          + " are kept but not used: no IPv6 next hop (RFC 2545 §2; 6PE, RFC 4798, is not"
          + " supported)";
    }
    if (nextHop instanceof Inet6Address v6 && v6.isLinkLocalAddress()) {
      return "ipv6 routes with only the link-local next hop "
          + AddressText.of(nextHop)
          + " are kept but not used: no global IPv6 next hop (RFC 2545 §2)";
    }
    return null;
  }

  /** Whether {@code address} is IPv4-mapped, {@code ::ffff:a.b.c.d} (RFC 4291 §2.5.5.2). */
  public static boolean mapped(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return false;
    }
    byte[] b = address.getAddress();
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }

  /** The next hop self of IPv6 routes toward a peer, or null when the session has none. */
  static InetAddress self(Neighbor neighbor) {
    if (neighbor.ipv6NextHop() != null) {
      return neighbor.ipv6NextHop();
    }
    InetAddress local = neighbor.spec().localAddress();
    return local instanceof Inet6Address ? local : null;
  }

  /**
   * The session a neighbour gets: an IPv4 session without an IPv6 next hop does not offer IPv6
   * unicast, and says so.
   */
  static Session session(Neighbor neighbor) {
    PeerSpec spec = neighbor.spec();
    Set<AddressFamily> families = spec.config().families();
    if (self(neighbor) != null || !families.contains(AddressFamily.IPV6_UNICAST)) {
      return new Session(spec, "");
    }
    Set<AddressFamily> offered = new HashSet<>(families);
    offered.remove(AddressFamily.IPV6_UNICAST);
    PeerSpec less =
        new PeerSpec(
            spec.remote(),
            spec.localAddress(),
            spec.config().withFamilies(offered),
            spec.passive(),
            spec.md5Password(),
            spec.ttlSecurityHops());
    return new Session(
        less,
        "ipv6 unicast not offered: no IPv6 next hop for this IPv4 session (configure ipv6NextHop,"
            + " a global IPv6 address of this node; RFC 2545 §2)");
  }
}
