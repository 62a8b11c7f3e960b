package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The rules of a {@link BGPFilter} (Calico {@code BGPFilterSpec}): one ordered list per direction
 * and family. Within a list the first matching rule decides; a route no rule matches goes on to the
 * next filter of the peering, and past the last one to the default behaviour (accept).
 *
 * @param exportV4 rules for IPv4 routes sent to the peer
 * @param importV4 rules for IPv4 routes received from the peer
 * @param exportV6 rules for IPv6 routes sent to the peer
 * @param importV6 rules for IPv6 routes received from the peer
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"exportV4", "importV4", "exportV6", "importV6"})
public record BGPFilterSpec(
    List<BGPFilterRule> exportV4,
    List<BGPFilterRule> importV4,
    List<BGPFilterRule> exportV6,
    List<BGPFilterRule> importV6) {

  public BGPFilterSpec {
    exportV4 = copy(exportV4);
    importV4 = copy(importV4);
    exportV6 = copy(exportV6);
    importV6 = copy(importV6);
  }

  /** The rules for one direction and family. */
  public List<BGPFilterRule> rules(boolean export, boolean ipv6) {
    if (export) return ipv6 ? exportV6 : exportV4;
    return ipv6 ? importV6 : importV4;
  }

  private static List<BGPFilterRule> copy(List<BGPFilterRule> rules) {
    // A null element (an empty "- " in YAML) is kept for validation to name; List.copyOf would
    // throw.
    return rules == null
        ? List.of()
        : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(rules));
  }
}
