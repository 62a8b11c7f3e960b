package dev.netctl.agent.calc;

import dev.netctl.datastore.model.Cidr;
import java.net.InetAddress;
import java.util.Map;

/**
 * What the calculation needs of one node, read from its Node resource.
 *
 * @param name the node name
 * @param ipv4 its underlay IPv4 address with the subnet's prefix length (decides same-subnet), or
 *     null
 * @param ipv6 its IPv6 address with prefix length, or null
 * @param vxlanTunnelV4 its IPv4 VXLAN tunnel address, or null before it has one
 * @param vxlanMacV4 the MAC of its IPv4 VXLAN device, or null
 * @param vxlanTunnelV6 its IPv6 VXLAN tunnel address, or null
 * @param vxlanMacV6 the MAC of its IPv6 VXLAN device, or null
 * @param ipipFallback whether it carries IP-in-IP pools over VXLAN because its kernel has no IPIP
 * @param labels its labels, for selectors
 */
public record NodeInfo(
    String name,
    Cidr ipv4,
    Cidr ipv6,
    InetAddress vxlanTunnelV4,
    String vxlanMacV4,
    InetAddress vxlanTunnelV6,
    String vxlanMacV6,
    boolean ipipFallback,
    Map<String, String> labels) {

  public NodeInfo {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** Whether {@code other}'s underlay address lies in this node's subnet (same family). */
  public boolean sameSubnet(NodeInfo other, boolean v6) {
    Cidr mine = v6 ? ipv6 : ipv4;
    Cidr theirs = v6 ? other.ipv6 : other.ipv4;
    return mine != null && theirs != null && mine.contains(theirs.address());
  }
}
