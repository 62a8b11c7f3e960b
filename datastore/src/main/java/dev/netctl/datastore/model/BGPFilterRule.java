package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * One rule of a {@link BGPFilter} (Calico {@code BGPFilterRuleV4}/{@code V6}). Every condition that
 * is set must hold for the rule to match; a rule without conditions matches every route.
 *
 * @param action what a matching route gets
 * @param matchOperator how the route's prefix is compared with {@code cidr}; set exactly when cidr
 *     is
 * @param cidr the prefix compared with
 * @param prefixLength with In/NotIn: the prefix lengths inside {@code cidr} that count as in it
 * @param source {@code RemotePeers}: only routes learned from BGP peers (not the node's own)
 * @param interfaceName a glob on the route's interface (Calico's {@code interface})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"action", "matchOperator", "cidr", "prefixLength", "source", "interface"})
public record BGPFilterRule(
    Action action,
    MatchOperator matchOperator,
    String cidr,
    PrefixLength prefixLength,
    Source source,
    @JsonProperty("interface") String interfaceName) {

  public BGPFilterRule {
    cidr = Cidr.canonical(cidr);
  }

  /** What a matching rule does with the route. */
  public enum Action {
    ACCEPT("Accept"),
    REJECT("Reject");

    private final String wire;

    Action(String wire) {
      this.wire = wire;
    }

    @JsonValue
    @Override
    public String toString() {
      return wire;
    }
  }

  /** How the route's prefix is compared with the rule's {@code cidr}. */
  public enum MatchOperator {
    /** The prefix is exactly cidr. */
    EQUAL("Equal"),
    /** The prefix is anything but cidr. */
    NOT_EQUAL("NotEqual"),
    /** The prefix lies inside cidr (cidr itself included), with a length in prefixLength. */
    IN("In"),
    /** The negation of In. */
    NOT_IN("NotIn");

    private final String wire;

    MatchOperator(String wire) {
      this.wire = wire;
    }

    @JsonValue
    @Override
    public String toString() {
      return wire;
    }
  }

  /** Where a route came from. */
  public enum Source {
    /** Learned from a BGP peer. */
    REMOTE_PEERS("RemotePeers");

    private final String wire;

    Source(String wire) {
      this.wire = wire;
    }

    @JsonValue
    @Override
    public String toString() {
      return wire;
    }
  }

  /**
   * Bounds on the prefix length (inclusive); an absent bound is cidr's own length (min) or the
   * family's maximum (max).
   *
   * @param min the shortest length, or null
   * @param max the longest length, or null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"min", "max"})
  public record PrefixLength(Integer min, Integer max) {}
}
