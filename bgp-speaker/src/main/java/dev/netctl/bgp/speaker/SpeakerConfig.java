package dev.netctl.bgp.speaker;

import dev.netctl.bgp.session.Transport;
import java.net.Inet4Address;
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
 */
public record SpeakerConfig(
    long localAs,
    Inet4Address routerId,
    Inet4Address clusterId,
    InetSocketAddress listen,
    Transport transport,
    int ribShards,
    RestartOptions restart) {
  /** Validates. */
  public SpeakerConfig {
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
    this(localAs, routerId, clusterId, listen, transport, ribShards, RestartOptions.DEFAULT);
  }

  /** A non-reflecting speaker with one RIB shard. */
  public static SpeakerConfig of(
      long localAs, Inet4Address routerId, InetSocketAddress listen, Transport transport) {
    return new SpeakerConfig(localAs, routerId, null, listen, transport, 1);
  }

  /** The same options with a route-reflection cluster id. */
  public SpeakerConfig withClusterId(Inet4Address id) {
    return new SpeakerConfig(localAs, routerId, id, listen, transport, ribShards, restart);
  }

  /** The same options with these graceful restart settings. */
  public SpeakerConfig withRestart(RestartOptions options) {
    return new SpeakerConfig(localAs, routerId, clusterId, listen, transport, ribShards, options);
  }
}
