package dev.netctl.kube.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The schema of an IP reservation (Calico's {@code reservedCIDRs}); netctl's validation checks each
 * entry before it is written.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IPReservationSpec {
  private List<String> reservedCIDRs;

  public List<String> getReservedCIDRs() {
    return reservedCIDRs;
  }

  public void setReservedCIDRs(List<String> reservedCIDRs) {
    this.reservedCIDRs = reservedCIDRs;
  }
}
