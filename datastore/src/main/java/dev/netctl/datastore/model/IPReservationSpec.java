package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What an {@link IPReservation} reserves (Calico {@code IPReservationSpec}).
 *
 * @param reservedCIDRs IPv4 and IPv6 CIDRs or single addresses ({@code 10.0.0.5} is {@code
 *     10.0.0.5/32}), kept as written but IPv6 in RFC 5952 form
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record IPReservationSpec(List<String> reservedCIDRs) {

  public IPReservationSpec {
    // Stream.toList keeps a null element (an empty "- " in YAML) for validation to name.
    reservedCIDRs =
        reservedCIDRs == null ? List.of() : reservedCIDRs.stream().map(Cidr::canonical).toList();
  }
}
