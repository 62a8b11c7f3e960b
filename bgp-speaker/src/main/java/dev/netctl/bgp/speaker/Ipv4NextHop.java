package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressFamily;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The NEXT_HOP of IPv4 routes we send with ourselves as next hop (our own, and every route toward
 * an eBGP peer): an IPv4 address, as the attribute has four octets (RFC 4271 §4.3, §5.1.3). An IPv4
 * session sends its own local address. An IPv6 session has none, and an IPv6 next hop for IPv4
 * routes needs the Extended Next Hop capability (RFC 8950), which this speaker does not offer; so,
 * as BIRD's {@code next hop address} and FRR's {@code next-hop-self} with an IPv4 update-source do,
 * such a session takes a configured IPv4 address of this node ({@link Neighbor#ipv4NextHop()}).
 * Without one it sends only the IPv4 routes that keep another next hop (reflected ones, ours with a
 * set next hop), and says so.
 */
public final class Ipv4NextHop {
  private Ipv4NextHop() {}

  /** The notice of an IPv6 session that has no IPv4 next hop of ours. */
  static final String NOTICE =
      "ipv4 routes that need this speaker as next hop are not sent: an IPv6 session has no IPv4"
          + " address of ours for NEXT_HOP (configure ipv4NextHop, an IPv4 address of this node,"
          + " or peer over IPv4; RFC 4271 §5.1.3)";

  /** Why {@code address} cannot be a NEXT_HOP we send, or null when it can. */
  public static String problem(Inet4Address address) {
    if (address.isAnyLocalAddress()) {
      return "must not be 0.0.0.0 (RFC 4271 §6.3: NEXT_HOP must be a valid host address)";
    }
    if (address.isMulticastAddress()) {
      return "must be a unicast address, not multicast (RFC 4271 §6.3)";
    }
    byte[] b = address.getAddress();
    if ((b[0] & b[1] & b[2] & b[3]) == (byte) 0xff) {
      return "must not be the broadcast address 255.255.255.255 (RFC 4271 §6.3)";
    }
    return null;
  }

  /** Our next hop of IPv4 routes toward a peer, or null when the session has none. */
  static InetAddress self(Neighbor neighbor) {
    if (neighbor.ipv4NextHop() != null) {
      return neighbor.ipv4NextHop();
    }
    InetAddress local = neighbor.spec().localAddress();
    return local instanceof Inet4Address ? local : null;
  }

  /**
   * What an IPv6 session carrying IPv4 unicast without an IPv4 next hop of ours leaves out, or
   * empty for every other session.
   */
  static String notice(Neighbor neighbor) {
    boolean missing =
        neighbor.spec().remote().getAddress() instanceof Inet6Address
            && neighbor.spec().config().families().contains(AddressFamily.IPV4_UNICAST)
            && self(neighbor) == null;
    return missing ? NOTICE : "";
  }
}
