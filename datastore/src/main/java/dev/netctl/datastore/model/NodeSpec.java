package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A node's routing identity (Calico {@code NodeSpec}, the parts netctl uses).
 *
 * @param bgp BGP addresses and AS; absent on nodes that do not run BGP
 * @param ipv4VXLANTunnelAddr the node's IPv4 VXLAN tunnel (VTEP) address
 * @param vxlanTunnelMACAddr the MAC of the node's IPv4 VXLAN device
 * @param ipv6VXLANTunnelAddr the node's IPv6 VXLAN tunnel address
 * @param vxlanTunnelMACAddrV6 the MAC of the node's IPv6 VXLAN device
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "bgp",
  "ipv4VXLANTunnelAddr",
  "vxlanTunnelMACAddr",
  "ipv6VXLANTunnelAddr",
  "vxlanTunnelMACAddrV6"
})
public record NodeSpec(
    NodeBGPSpec bgp,
    String ipv4VXLANTunnelAddr,
    String vxlanTunnelMACAddr,
    String ipv6VXLANTunnelAddr,
    String vxlanTunnelMACAddrV6) {

  public NodeSpec {
    ipv4VXLANTunnelAddr = Cidr.canonical(ipv4VXLANTunnelAddr);
    ipv6VXLANTunnelAddr = Cidr.canonical(ipv6VXLANTunnelAddr);
  }

  /** A node spec with only BGP settings. */
  public static NodeSpec bgp(NodeBGPSpec bgp) {
    return new NodeSpec(bgp, null, null, null, null);
  }

  /** A copy with IPv4 VXLAN tunnel settings. */
  public NodeSpec withVxlanV4(String tunnelAddr, String mac) {
    return new NodeSpec(bgp, tunnelAddr, mac, ipv6VXLANTunnelAddr, vxlanTunnelMACAddrV6);
  }
}
