package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

/**
 * A node's BGP identity (Calico {@code NodeBGPSpec}).
 *
 * @param ipv4Address the node's IPv4 address with its subnet, e.g. {@code 10.0.0.5/24} (a bare IP
 *     is accepted)
 * @param ipv6Address the node's IPv6 address with its subnet
 * @param asNumber overrides the cluster AS number for this node
 * @param routeReflectorClusterID set on route reflectors: their cluster ID (dotted quad)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"ipv4Address", "ipv6Address", "asNumber", "routeReflectorClusterID"})
public record NodeBGPSpec(
    String ipv4Address,
    String ipv6Address,
    @JsonDeserialize(using = AsNumber.Deserializer.class) Long asNumber,
    String routeReflectorClusterID) {

  public NodeBGPSpec {
    ipv4Address = Cidr.canonical(ipv4Address);
    ipv6Address = Cidr.canonical(ipv6Address);
  }
}
