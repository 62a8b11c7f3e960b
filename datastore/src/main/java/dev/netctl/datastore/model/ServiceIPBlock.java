package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A range of Kubernetes service addresses to advertise over BGP ({@code serviceClusterIPs}, {@code
 * serviceExternalIPs}, {@code serviceLoadBalancerIPs} entries).
 *
 * @param cidr the range
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServiceIPBlock(String cidr) {
  public ServiceIPBlock {
    cidr = Cidr.canonical(cidr);
  }
}
