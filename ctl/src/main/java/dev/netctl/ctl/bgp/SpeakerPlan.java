package dev.netctl.ctl.bgp;

import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.speaker.DynamicRange;
import dev.netctl.bgp.speaker.Neighbor;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * A checked {@link SpeakerConfig}: every address parsed, every range enforced, defaults filled in.
 * Only {@link SpeakerConfigReader} builds one, so holding one means the file was valid.
 *
 * @param routerId BGP identifier
 * @param asNumber our AS
 * @param listen where to accept BGP connections
 * @param peers one neighbour (session spec and policies) per peer, in file order
 * @param routes originated routes, in file order
 * @param clusterId route-reflection cluster id, or null for the router id
 * @param admin where the admin endpoint listens ({@code InetSocketAddress} or {@code
 *     UnixDomainSocketAddress}), or null for the default
 * @param ipv6NextHop next hop of IPv6 routes over IPv4 sessions whose peer sets none, or null
 * @param dynamicRanges peers accepted by address range, in file order
 */
public record SpeakerPlan(
    Inet4Address routerId,
    long asNumber,
    InetSocketAddress listen,
    List<Neighbor> peers,
    List<Route> routes,
    Inet4Address clusterId,
    SocketAddress admin,
    Inet6Address ipv6NextHop,
    List<DynamicRange> dynamicRanges) {

  /** Copies lists. */
  public SpeakerPlan {
    peers = List.copyOf(peers);
    dynamicRanges = List.copyOf(dynamicRanges);
    routes = List.copyOf(routes);
  }

  /**
   * One originated route.
   *
   * @param prefix the prefix
   * @param nextHop next hop, or null for the session's local address
   * @param attributes communities and large communities to attach
   */
  public record Route(Prefix prefix, InetAddress nextHop, List<PathAttribute> attributes) {
    /** Copies the list. */
    public Route {
      attributes = List.copyOf(attributes);
    }
  }
}
