package dev.netctl.agent.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.rib.AttributeSet;
import dev.netctl.bgp.rib.PolicyContext;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.datastore.model.BGPFilterRule;
import dev.netctl.datastore.model.BGPFilterRule.Action;
import dev.netctl.datastore.model.BGPFilterRule.MatchOperator;
import dev.netctl.datastore.model.BGPFilterSpec;
import dev.netctl.datastore.model.Cidr;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilterPolicyTest {

  private static final InetAddress PEER_HOP = Cidr.parseAddress("10.0.0.2");
  private static final InetAddress SELF = Cidr.parseAddress("10.0.0.1");
  private static final AttributeSet ATTRS =
      AttributeSet.of(
          List.of(
              new PathAttribute.Origin(PathAttribute.OriginType.IGP), PathAttribute.AsPath.EMPTY),
          PEER_HOP);
  private static final PolicyContext LEARNED = new PolicyContext(SELF, null, PEER_HOP, false);
  private static final PolicyContext OWN = new PolicyContext(SELF, null, SELF, true);

  private static BGPFilterRule rule(Action a, MatchOperator op, String cidr) {
    return new BGPFilterRule(a, op, cidr, null, null, null);
  }

  private static FilterPolicy.Filter v4(String name, boolean export, BGPFilterRule... rules) {
    List<BGPFilterRule> l = List.of(rules);
    return new FilterPolicy.Filter(
        name,
        export ? new BGPFilterSpec(l, null, null, null) : new BGPFilterSpec(null, l, null, null));
  }

  private static boolean accepted(RoutePolicy p, String prefix, PolicyContext c) {
    return p.apply(Prefix.parse(prefix), ATTRS, c).isPresent();
  }

  @Test
  void aRouteNoRuleMatchesFallsThroughToTheNextFilterThenToTheDefault() {
    FilterPolicy p =
        new FilterPolicy(
            false,
            List.of(
                v4("first", false, rule(Action.REJECT, MatchOperator.EQUAL, "10.1.0.0/26")),
                v4("second", false, rule(Action.REJECT, MatchOperator.IN, "10.2.0.0/16"))),
            RoutePolicy.ACCEPT_ALL);

    assertThat(accepted(p, "10.1.0.0/26", LEARNED)).as("first filter rejects").isFalse();
    assertThat(accepted(p, "10.2.7.0/26", LEARNED)).as("second filter rejects").isFalse();
    assertThat(accepted(p, "10.3.0.0/26", LEARNED)).as("default accepts").isTrue();
  }

  @Test
  void anAcceptInAnEarlierFilterIsFinal() {
    FilterPolicy p =
        new FilterPolicy(
            false,
            List.of(
                v4("allow", false, rule(Action.ACCEPT, MatchOperator.EQUAL, "10.2.0.0/26")),
                v4("deny", false, rule(Action.REJECT, MatchOperator.IN, "10.2.0.0/16"))),
            RoutePolicy.ACCEPT_ALL);

    assertThat(accepted(p, "10.2.0.0/26", LEARNED)).isTrue();
    assertThat(accepted(p, "10.2.1.0/26", LEARNED)).isFalse();
  }

  @Test
  void eachFamilyAndDirectionUsesItsOwnList() {
    BGPFilterSpec spec =
        new BGPFilterSpec(
            List.of(new BGPFilterRule(Action.REJECT, null, null, null, null, null)),
            null,
            null,
            null);
    FilterPolicy export =
        new FilterPolicy(true, List.of(new FilterPolicy.Filter("f", spec)), RoutePolicy.ACCEPT_ALL);
    FilterPolicy imp =
        new FilterPolicy(
            false, List.of(new FilterPolicy.Filter("f", spec)), RoutePolicy.ACCEPT_ALL);

    assertThat(accepted(export, "10.1.0.0/26", OWN)).as("exportV4 rejects all").isFalse();
    assertThat(accepted(export, "fd00:1::/122", OWN)).as("exportV6 is empty").isTrue();
    assertThat(accepted(imp, "10.1.0.0/26", LEARNED)).as("importV4 is empty").isTrue();
  }

  @Test
  void sourceRemotePeersOnExportSparesTheNodesOwnRoutes() {
    FilterPolicy p =
        new FilterPolicy(
            true,
            List.of(
                v4(
                    "no-transit",
                    true,
                    new BGPFilterRule(
                        Action.REJECT, null, null, null, BGPFilterRule.Source.REMOTE_PEERS, null))),
            RoutePolicy.ACCEPT_ALL);

    assertThat(accepted(p, "10.1.0.0/26", OWN)).isTrue();
    assertThat(accepted(p, "10.1.0.0/26", LEARNED)).isFalse();
  }

  @Test
  void acceptedRoutesStillGetTheNextPolicysRewrite() {
    RoutePolicy nextHopSelf =
        PeerPlanner.exportPolicy(
            new dev.netctl.datastore.model.BGPPeerSpec(
                null,
                null,
                "10.0.0.9",
                65001L,
                null,
                null,
                false,
                dev.netctl.datastore.model.NextHopMode.SELF,
                null,
                null,
                null,
                null));
    FilterPolicy p =
        new FilterPolicy(
            true,
            List.of(v4("allow", true, rule(Action.ACCEPT, MatchOperator.IN, "10.0.0.0/8"))),
            nextHopSelf);

    assertThat(p.apply(Prefix.parse("10.1.0.0/26"), ATTRS, LEARNED).orElseThrow().nextHop())
        .isEqualTo(SELF);
  }

  @Test
  void aMissingFilterRejectsEverything() {
    FilterPolicy p =
        new FilterPolicy(
            false,
            List.of(
                v4("allow", false, rule(Action.ACCEPT, MatchOperator.IN, "10.0.0.0/8")),
                new FilterPolicy.Filter("typo", null)),
            RoutePolicy.ACCEPT_ALL);

    assertThat(p.missing()).containsExactly("typo");
    assertThat(accepted(p, "10.1.0.0/26", LEARNED)).isFalse();
    assertThat(accepted(p, "fd00::/122", LEARNED)).isFalse();
  }

  @Test
  void equalFiltersMakeEqualPoliciesAndAChangedRuleDoesNot() {
    FilterPolicy a =
        new FilterPolicy(
            true,
            List.of(v4("f", true, rule(Action.REJECT, MatchOperator.IN, "10.1.0.0/16"))),
            RoutePolicy.ACCEPT_ALL);
    FilterPolicy same =
        new FilterPolicy(
            true,
            List.of(v4("f", true, rule(Action.REJECT, MatchOperator.IN, "10.1.0.0/16"))),
            RoutePolicy.ACCEPT_ALL);
    FilterPolicy changed =
        new FilterPolicy(
            true,
            List.of(v4("f", true, rule(Action.REJECT, MatchOperator.IN, "10.2.0.0/16"))),
            RoutePolicy.ACCEPT_ALL);

    // Equal export policies share an update group; a change is what makes the speaker re-export.
    assertThat(a).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(a).isNotEqualTo(changed);
  }
}
