package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Communities to attach when advertising a prefix (Calico {@code PrefixAdvertisement}).
 *
 * @param cidr the advertised prefix
 * @param communities community names (defined in BGPConfiguration) or literal values
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record PrefixAdvertisement(String cidr, List<String> communities) {
  public PrefixAdvertisement {
    cidr = Cidr.canonical(cidr);
    communities =
        communities == null
            ? List.of()
            : Collections.unmodifiableList(new ArrayList<>(communities));
  }
}
