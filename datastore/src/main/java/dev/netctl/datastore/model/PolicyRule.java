package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.List;

/**
 * One rule of a Calico NetworkPolicy or GlobalNetworkPolicy (Calico {@code Rule}, the fields netctl
 * enforces).
 *
 * @param action Allow, Deny, Pass (skip to the next tier) or Log (log and go on)
 * @param ipVersion 4 or 6: the rule matches packets of that IP family only; null: both
 * @param protocol TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number 1-255; required with ports
 * @param notProtocol the packet's protocol must not be this one
 * @param icmp ICMP type and code to match (with protocol ICMP)
 * @param notICMP ICMP type and code that must not match
 * @param source what the packet's source must be
 * @param destination what the packet's destination must be
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({
  "action",
  "ipVersion",
  "protocol",
  "notProtocol",
  "icmp",
  "notICMP",
  "source",
  "destination"
})
public record PolicyRule(
    String action,
    Integer ipVersion,
    @JsonDeserialize(using = NumOrString.class) @JsonSerialize(using = NumOrString.Writer.class)
        String protocol,
    @JsonDeserialize(using = NumOrString.class) @JsonSerialize(using = NumOrString.Writer.class)
        String notProtocol,
    Icmp icmp,
    Icmp notICMP,
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = MatchesAll.class) Entity source,
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = MatchesAll.class)
        Entity destination) {

  /**
   * Leaves out a side that matches everything, as Calico prints a rule: {@code source: {}} under
   * every rule without one made {@code get -o yaml} differ from the manifest applied.
   */
  static final class MatchesAll {
    @Override
    public boolean equals(Object other) {
      return Entity.ANY.equals(other);
    }

    @Override
    public int hashCode() {
      return 0;
    }
  }

  public PolicyRule {
    source = source == null ? Entity.ANY : source;
    destination = destination == null ? Entity.ANY : destination;
  }

  /**
   * ICMP type and optional code.
   *
   * @param type the ICMP type, 0-254
   * @param code the ICMP code, 0-255, only with a type
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"type", "code"})
  public record Icmp(Integer type, Integer code) {}

  /**
   * One end of a packet (Calico {@code EntityRule}): every given field must match.
   *
   * @param nets the address must be in one of these CIDRs
   * @param notNets the address must be in none of these
   * @param selector the address must be a workload endpoint with matching labels
   * @param notSelector the address must not be a matching workload endpoint
   * @param namespaceSelector the endpoint's namespace must match (a namespaced policy's selector
   *     otherwise applies in its own namespace only)
   * @param serviceAccounts the endpoint's service account must match
   * @param ports the port must be one of these numbers, ranges or names
   * @param notPorts the port must be none of these
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonPropertyOrder({
    "nets",
    "notNets",
    "selector",
    "notSelector",
    "namespaceSelector",
    "serviceAccounts",
    "ports",
    "notPorts"
  })
  public record Entity(
      List<String> nets,
      List<String> notNets,
      String selector,
      String notSelector,
      String namespaceSelector,
      ServiceAccountMatch serviceAccounts,
      List<PortSpec> ports,
      List<PortSpec> notPorts) {

    /** Matches everything. */
    public static final Entity ANY = new Entity(null, null, null, null, null, null, null, null);

    public Entity {
      // Stored and printed in RFC 5952 form, whatever the manifest spelled (FD00:0::/64 is
      // fd00::/64); what does not parse stays as written for validation to name.
      nets = nets == null ? List.of() : nets.stream().map(Cidr::canonical).toList();
      notNets = notNets == null ? List.of() : notNets.stream().map(Cidr::canonical).toList();
      ports = ports == null ? List.of() : List.copyOf(ports);
      notPorts = notPorts == null ? List.of() : List.copyOf(notPorts);
    }

    /** The selector over the labels of the endpoint's service account, or null. */
    public String serviceAccountLabelSelector() {
      return serviceAccounts == null ? null : serviceAccounts.selector();
    }
  }

  /**
   * The service accounts a rule's endpoints must run as (Calico {@code ServiceAccountMatch}); both
   * parts, when given, must hold.
   *
   * @param names the service account's name is one of these (in the endpoint's namespace)
   * @param selector the service account's labels match this selector
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonPropertyOrder({"names", "selector"})
  public record ServiceAccountMatch(List<String> names, String selector) {
    public ServiceAccountMatch {
      names = names == null ? List.of() : List.copyOf(names);
    }
  }
}
