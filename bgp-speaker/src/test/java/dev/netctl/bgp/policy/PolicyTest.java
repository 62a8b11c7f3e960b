package dev.netctl.bgp.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.PathAttribute.LargeCommunity;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.policy.Action.ListOp;
import dev.netctl.bgp.rib.AttributeSet;
import dev.netctl.bgp.rib.PolicyContext;
import dev.netctl.bgp.rib.RoutePolicy;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyTest {
  private static final Prefix POD_BLOCK = Prefix.parse("10.244.1.0/26");
  private static final Prefix OTHER = Prefix.parse("192.168.0.0/16");
  private static final int NO_EXPORT = Community.parse("65535:65281");
  private static final int TAG = Community.parse("65000:100");
  private static final LargeCommunity LARGE = Community.parseLarge("65000:1:2");

  private static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  private static AttributeSet base() throws Exception {
    return AttributeSet.of(
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.IGP),
            AsPath.sequence(64512),
            new PathAttribute.Communities(List.of(TAG))),
        ip("192.0.2.1"));
  }

  private static Statement when(List<Match> m, List<Action> a, Verdict v) {
    return new Statement(m, a, v);
  }

  @Test
  void prefixListWithGeLeSelectsRoutesAndDefaultRejectsTheRest() throws Exception {
    Policy p =
        new Policy(
            "pods",
            List.of(
                when(
                    List.of(
                        new Match.PrefixIn(PrefixList.of("pools", "10.244.0.0/16 ge 26 le 26"))),
                    List.of(),
                    Verdict.ACCEPT)),
            Verdict.REJECT);
    assertThat(p.apply(POD_BLOCK, base(), PolicyContext.NONE)).contains(base());
    assertThat(p.apply(OTHER, base(), PolicyContext.NONE)).isEmpty();
    assertThat(p.apply(Prefix.parse("10.244.0.0/16"), base(), PolicyContext.NONE)).isEmpty();
  }

  @Test
  void communityMatchAndRejectBeatsALaterAccept() throws Exception {
    AttributeSet tagged =
        new Action.SetCommunities(ListOp.ADD, List.of(NO_EXPORT)).apply(base(), PolicyContext.NONE);
    Policy p =
        new Policy(
            "no-export",
            List.of(
                when(List.of(new Match.CommunityAny(Set.of(NO_EXPORT))), List.of(), Verdict.REJECT),
                when(List.of(), List.of(), Verdict.ACCEPT)),
            Verdict.REJECT);
    assertThat(p.apply(POD_BLOCK, tagged, PolicyContext.NONE)).isEmpty();
    assertThat(p.apply(POD_BLOCK, base(), PolicyContext.NONE)).isPresent();
  }

  @Test
  void communityActionsSetAddAndRemove() throws Exception {
    AttributeSet added =
        new Action.SetCommunities(ListOp.ADD, List.of(NO_EXPORT, TAG))
            .apply(base(), PolicyContext.NONE);
    assertThat(added.communities()).as("add skips duplicates").containsExactly(TAG, NO_EXPORT);
    AttributeSet removed =
        new Action.SetCommunities(ListOp.REMOVE, List.of(TAG)).apply(added, PolicyContext.NONE);
    assertThat(removed.communities()).containsExactly(NO_EXPORT);
    AttributeSet cleared =
        new Action.SetCommunities(ListOp.SET, List.of()).apply(added, PolicyContext.NONE);
    assertThat(cleared.get(PathAttribute.Communities.class))
        .as("empty list removes the attribute")
        .isEmpty();
  }

  @Test
  void largeCommunitiesMatchAndRewrite() throws Exception {
    AttributeSet withLarge =
        new Action.SetLargeCommunities(ListOp.ADD, List.of(LARGE))
            .apply(base(), PolicyContext.NONE);
    assertThat(withLarge.largeCommunities()).containsExactly(LARGE);
    Match m = new Match.LargeCommunityAny(Set.of(LARGE));
    assertThat(m.test(POD_BLOCK, withLarge)).isTrue();
    assertThat(m.test(POD_BLOCK, base())).isFalse();
    AttributeSet removed =
        new Action.SetLargeCommunities(ListOp.REMOVE, List.of(LARGE))
            .apply(withLarge, PolicyContext.NONE);
    assertThat(removed).isSameAs(base());
  }

  @Test
  void localPrefMedAndPrependRewriteAndContinueKeepsRewrites() throws Exception {
    Policy p =
        new Policy(
            "shape",
            List.of(
                when(
                    List.of(),
                    List.of(new Action.SetLocalPref(250), new Action.SetMed(7)),
                    Verdict.CONTINUE),
                when(
                    List.of(new Match.AsPathContains(64512)),
                    List.of(new Action.PrependAs(65000, 2)),
                    Verdict.ACCEPT)),
            Verdict.REJECT);
    AttributeSet out = p.apply(POD_BLOCK, base(), PolicyContext.NONE).orElseThrow();
    assertThat(out.localPref()).isEqualTo(250);
    assertThat(out.med()).isEqualTo(7);
    assertThat(out.asPath()).isEqualTo(AsPath.sequence(65000, 65000, 64512));
    assertThat(new Match.Not(new Match.AsPathContains(64512)).test(POD_BLOCK, base())).isFalse();
  }

  @Test
  void nextHopSelfKeepAndExplicit() throws Exception {
    PolicyContext ctx = new PolicyContext(ip("10.0.0.1"), null, ip("192.0.2.77"));
    AttributeSet rewritten = base().withNextHop(ip("10.0.0.1"), null);
    assertThat(Action.SetNextHop.self().apply(base(), ctx).nextHop()).isEqualTo(ip("10.0.0.1"));
    assertThat(Action.SetNextHop.keep().apply(rewritten, ctx).nextHop())
        .as("keep restores the next hop the route arrived with")
        .isEqualTo(ip("192.0.2.77"));
    assertThat(Action.SetNextHop.to(ip("10.9.9.9")).apply(base(), ctx).nextHop())
        .isEqualTo(ip("10.9.9.9"));
    assertThat(Action.SetNextHop.self().apply(base(), PolicyContext.NONE)).isSameAs(base());
  }

  @Test
  void rfc8212MissingPolicyRejectsOnEbgpAndAcceptsOnIbgp() throws Exception {
    RoutePolicy ebgp = RoutePolicy.effective(null, false);
    RoutePolicy ibgp = RoutePolicy.effective(null, true);
    assertThat(ebgp.apply(POD_BLOCK, base(), PolicyContext.NONE)).isEmpty();
    assertThat(ibgp.apply(POD_BLOCK, base(), PolicyContext.NONE)).contains(base());
    Policy configured = new Policy("all", List.of(), Verdict.ACCEPT);
    assertThat(RoutePolicy.effective(configured, false)).isSameAs(configured);
  }

  @Test
  void asPathLengthAndNeighborAsMatchTheReceivedPath() throws Exception {
    AttributeSet twoHops = base().with(AsPath.sequence(64512, 64999));
    AttributeSet local = base().with(AsPath.EMPTY);
    Match shortPaths = new Match.AsPathLength(0, 1);
    assertThat(shortPaths.test(POD_BLOCK, base())).isTrue();
    assertThat(shortPaths.test(POD_BLOCK, local)).isTrue();
    assertThat(shortPaths.test(POD_BLOCK, twoHops)).isFalse();
    Match fromTransit = new Match.NeighborAs(64512);
    assertThat(fromTransit.test(POD_BLOCK, twoHops)).isTrue();
    assertThat(fromTransit.test(POD_BLOCK, base().with(AsPath.sequence(64999, 64512)))).isFalse();
    assertThat(fromTransit.test(POD_BLOCK, local)).as("no AS_PATH: no neighbour AS").isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Match.AsPathLength(3, 2))
        .hasMessageContaining("0 <= min <= max");
  }

  @Test
  void equalPoliciesAreEqualValues() {
    Policy a =
        new Policy(
            "x",
            List.of(when(List.of(), List.of(new Action.SetMed(1)), Verdict.ACCEPT)),
            Verdict.REJECT);
    Policy b =
        new Policy(
            "x",
            List.of(when(List.of(), List.of(new Action.SetMed(1)), Verdict.ACCEPT)),
            Verdict.REJECT);
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(Optional.of(a))
        .isNotEqualTo(Optional.of(new Policy("x", List.of(), Verdict.REJECT)));
  }
}
