package dev.netctl.agent.routing;

import static dev.netctl.agent.routing.FilterRules.Outcome.ACCEPT;
import static dev.netctl.agent.routing.FilterRules.Outcome.NO_MATCH;
import static dev.netctl.agent.routing.FilterRules.Outcome.REJECT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.model.BGPFilterRule;
import dev.netctl.datastore.model.BGPFilterRule.Action;
import dev.netctl.datastore.model.BGPFilterRule.MatchOperator;
import dev.netctl.datastore.model.BGPFilterRule.PrefixLength;
import dev.netctl.datastore.model.BGPFilterRule.Source;
import dev.netctl.datastore.model.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FilterRulesTest {

  private static FilterRules.Route learned(String prefix) {
    return new FilterRules.Route(Cidr.parse(prefix), true, null);
  }

  private static BGPFilterRule rule(
      Action action, MatchOperator op, String cidr, Integer min, Integer max) {
    return new BGPFilterRule(
        action,
        op,
        cidr,
        min == null && max == null ? null : new PrefixLength(min, max),
        null,
        null);
  }

  private static BGPFilterRule reject(MatchOperator op, String cidr) {
    return rule(Action.REJECT, op, cidr, null, null);
  }

  @ParameterizedTest(name = "{0} {1} vs {2} -> {3}")
  @CsvSource({
    // Equal: exactly the prefix, not a longer or shorter one
    "Equal, 10.1.0.0/16, 10.1.0.0/16, true",
    "Equal, 10.1.0.0/16, 10.1.0.0/24, false",
    "Equal, 10.1.0.0/16, 10.0.0.0/8, false",
    // NotEqual: the complement of Equal
    "NotEqual, 10.1.0.0/16, 10.1.0.0/16, false",
    "NotEqual, 10.1.0.0/16, 10.1.0.0/24, true",
    // In: inside the cidr, the cidr itself included
    "In, 10.1.0.0/16, 10.1.0.0/16, true",
    "In, 10.1.0.0/16, 10.1.4.0/26, true",
    "In, 10.1.0.0/16, 10.2.0.0/26, false",
    "In, 10.1.0.0/16, 10.0.0.0/8, false",
    // NotIn: the complement of In
    "NotIn, 10.1.0.0/16, 10.1.4.0/26, false",
    "NotIn, 10.1.0.0/16, 10.2.0.0/26, true",
    "NotIn, 10.1.0.0/16, 10.0.0.0/8, true",
    // IPv6 alike, RFC 5952 text
    "In, fd00:1::/48, fd00:1:0:8::/122, true",
    "In, fd00:1::/48, fd00:2::/122, false",
    "Equal, fd00:1::/48, fd00:1::/48, true",
  })
  void operatorCompareThePrefixWithTheCidr(String op, String cidr, String prefix, boolean matches) {
    MatchOperator operator =
        switch (op) {
          case "Equal" -> MatchOperator.EQUAL;
          case "NotEqual" -> MatchOperator.NOT_EQUAL;
          case "In" -> MatchOperator.IN;
          default -> MatchOperator.NOT_IN;
        };
    assertThat(FilterRules.matches(reject(operator, cidr), learned(prefix)))
        .as("%s %s matches %s", op, cidr, prefix)
        .isEqualTo(matches);
  }

  @ParameterizedTest(name = "In 10.0.0.0/8 '{'{0},{1}'}' vs {2} -> {3}")
  @CsvSource({
    // min only: the cidr's own length is no longer the lower bound
    "26, , 10.1.2.0/26, true",
    "26, , 10.1.2.0/32, true",
    "26, , 10.1.0.0/24, false",
    // max only: from the cidr's length up to max
    ", 24, 10.0.0.0/8, true",
    ", 24, 10.1.0.0/24, true",
    ", 24, 10.1.2.0/26, false",
    // both
    "24, 26, 10.1.2.0/25, true",
    "24, 26, 10.1.2.0/23, false",
    "24, 26, 10.1.2.0/27, false",
  })
  void prefixLengthBoundsAreInclusive(Integer min, Integer max, String prefix, boolean matches) {
    BGPFilterRule r = rule(Action.REJECT, MatchOperator.IN, "10.0.0.0/8", min, max);
    assertThat(FilterRules.matches(r, learned(prefix))).isEqualTo(matches);
  }

  @Test
  void notInNegatesThePrefixLengthToo() {
    BGPFilterRule r = rule(Action.REJECT, MatchOperator.NOT_IN, "10.0.0.0/8", 26, 26);
    assertThat(FilterRules.matches(r, learned("10.1.2.0/26"))).isFalse();
    assertThat(FilterRules.matches(r, learned("10.1.2.0/24"))).isTrue();
  }

  @Test
  void firstMatchingRuleWins() {
    List<BGPFilterRule> rules =
        List.of(
            rule(Action.ACCEPT, MatchOperator.EQUAL, "10.1.2.0/26", null, null),
            reject(MatchOperator.IN, "10.1.0.0/16"),
            rule(Action.ACCEPT, MatchOperator.IN, "10.0.0.0/8", null, null));

    assertThat(FilterRules.first(rules, learned("10.1.2.0/26"))).isEqualTo(ACCEPT);
    assertThat(FilterRules.first(rules, learned("10.1.3.0/26"))).isEqualTo(REJECT);
    assertThat(FilterRules.first(rules, learned("10.9.0.0/26"))).isEqualTo(ACCEPT);
  }

  @Test
  void noMatchingRuleFallsThrough() {
    List<BGPFilterRule> rules = List.of(reject(MatchOperator.IN, "10.1.0.0/16"));
    assertThat(FilterRules.first(rules, learned("192.168.0.0/24"))).isEqualTo(NO_MATCH);
    assertThat(FilterRules.first(List.of(), learned("192.168.0.0/24"))).isEqualTo(NO_MATCH);
  }

  @Test
  void aRuleWithoutConditionsMatchesEverything() {
    BGPFilterRule all = new BGPFilterRule(Action.REJECT, null, null, null, null, null);
    assertThat(FilterRules.first(List.of(all), learned("0.0.0.0/0"))).isEqualTo(REJECT);
  }

  @Test
  void sourceRemotePeersMatchesLearnedRoutesOnly() {
    BGPFilterRule r = new BGPFilterRule(Action.REJECT, null, null, null, Source.REMOTE_PEERS, null);
    assertThat(FilterRules.matches(r, learned("10.1.0.0/26"))).isTrue();
    assertThat(
            FilterRules.matches(r, new FilterRules.Route(Cidr.parse("10.1.0.0/26"), false, null)))
        .as("the node's own block")
        .isFalse();
  }

  @Test
  void interfaceIsAGlobAndNeverMatchesARouteWithoutOne() {
    BGPFilterRule r = new BGPFilterRule(Action.REJECT, null, null, null, null, "*.calico");
    Cidr c = Cidr.parse("10.1.0.0/26");
    assertThat(FilterRules.matches(r, new FilterRules.Route(c, true, "vxlan.calico"))).isTrue();
    assertThat(FilterRules.matches(r, new FilterRules.Route(c, true, "vxlanXcalico")))
        .as("the dot is literal")
        .isFalse();
    assertThat(FilterRules.matches(r, new FilterRules.Route(c, true, "eth0"))).isFalse();
    assertThat(FilterRules.matches(r, new FilterRules.Route(c, true, null))).isFalse();
  }

  @Test
  void everyConditionOfARuleMustHold() {
    BGPFilterRule r =
        new BGPFilterRule(
            Action.REJECT, MatchOperator.IN, "10.1.0.0/16", null, Source.REMOTE_PEERS, null);
    assertThat(FilterRules.matches(r, learned("10.1.0.0/26"))).isTrue();
    assertThat(
            FilterRules.matches(r, new FilterRules.Route(Cidr.parse("10.1.0.0/26"), false, null)))
        .isFalse();
    assertThat(FilterRules.matches(r, learned("10.2.0.0/26"))).isFalse();
  }
}
