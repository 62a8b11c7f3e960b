package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.AddressText;
import dev.netctl.bgp.session.Transport;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Speaker-wide start options.
 *
 * @param localAs our AS number
 * @param routerId our BGP identifier (also used for ORIGINATOR_ID loop detection)
 * @param clusterId our route-reflection cluster id, or null to use the router id; reflection itself
 *     happens only toward peers marked as reflector clients ({@link Neighbor})
 * @param listen where to accept connections, or null for active-only
 * @param transport epoll or NIO
 * @param ribShards number of Loc-RIB shard threads, at least 1
 * @param restart graceful restart settings (RFC 4724)
 * @param ipv6NextHop the global IPv6 address sent as next hop of IPv6 routes over IPv4 sessions
 *     whose {@link Neighbor} sets none (RFC 2545 §2), or null: such sessions then do not offer IPv6
 *     unicast
 */
public record SpeakerConfig(
    long localAs,
    Inet4Address routerId,
    Inet4Address clusterId,
    InetSocketAddress listen,
    Transport transport,
    int ribShards,
    RestartOptions restart,
    Inet6Address ipv6NextHop) {
  /** Validates. */
  public SpeakerConfig {
    if (ipv6NextHop != null && Ipv6NextHop.problem(ipv6NextHop) != null) {
      throw new IllegalArgumentException(
          "speaker ipv6NextHop "
              + AddressText.of(ipv6NextHop)
              + " "
              + Ipv6NextHop.problem(ipv6NextHop));
    }
    Objects.requireNonNull(routerId, "routerId");
    Objects.requireNonNull(restart, "restart");
    Objects.requireNonNull(transport, "transport");
    if (localAs <= 0 || localAs > 0xffffffffL) {
      throw new IllegalArgumentException(
          "speaker localAs " + localAs + " is outside 1..4294967295");
    }
    if (ribShards < 1) {
      throw new IllegalArgumentException("speaker ribShards " + ribShards + " must be at least 1");
    }
  }

  /** Options with the default graceful restart settings. */
  public SpeakerConfig(
      long localAs,
      Inet4Address routerId,
      Inet4Address clusterId,
      InetSocketAddress listen,
      Transport transport,
      int ribShards) {
    this(localAs, routerId, clusterId, listen, transport, ribShards, RestartOptions.DEFAULT, null);
  }

  /** Options without a default IPv6 next hop. */
  public SpeakerConfig(
      long localAs,
      Inet4Address routerId,
      Inet4Address clusterId,
      InetSocketAddress listen,
      Transport transport,
      int ribShards,
      RestartOptions restart) {
    this(localAs, routerId, clusterId, listen, transport, ribShards, restart, null);
  }

  /** A non-reflecting speaker with one RIB shard. */
  public static SpeakerConfig of(
      long localAs, Inet4Address routerId, InetSocketAddress listen, Transport transport) {
    return new SpeakerConfig(localAs, routerId, null, listen, transport, 1);
  }

  /** The same options with a route-reflection cluster id. */
  public SpeakerConfig withClusterId(Inet4Address id) {
    return new SpeakerConfig(
        localAs, routerId, id, listen, transport, ribShards, restart, ipv6NextHop);
  }

  /** The same options with these graceful restart settings. */
  public SpeakerConfig withRestart(RestartOptions options) {
    return new SpeakerConfig(
        localAs, routerId, clusterId, listen, transport, ribShards, options, ipv6NextHop);
  }

  /** The same options with this default IPv6 next hop (RFC 2545 §2). */
  public SpeakerConfig withIpv6NextHop(Inet6Address address) {
    return new SpeakerConfig(
        localAs, routerId, clusterId, listen, transport, ribShards, restart, address);
  }
}
