package dev.netctl.agent.policy;

import static dev.netctl.agent.policy.PolicyCases.calico;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The nft text of rules: what the e2e test relies on, pinned where it is easy to read. */
class PolicyRendererTest {

  private static CompiledPolicy compile(String yaml) {
    return PolicyCompiler.compile(Fixture.CODEC.readOne(yaml));
  }

  @Test
  void numericAndNamedPortsAreAlternativesOneNftRuleEach() {
    CompiledPolicy p =
        compile(
            calico(
                "NetworkPolicy",
                "x",
                "p",
                "ingress:\n- action: Allow\n  protocol: TCP\n  source: {notSelector: pod == 'c'}\n  destination: {ports: [80, '1000:2000', http], notPorts: [1500]}"));
    PolicyRenderer.Rendered r =
        PolicyRenderer.policy(p, Direction.INGRESS, EnumSet.of(IpFamily.V4));
    // a namespaced notSelector alone: x's endpoints (Calico's scope) except those it matches
    String inX = new NftSet.Addresses(Labels.inNamespace("x")).name();
    String notC =
        new NftSet.Addresses(new dev.netctl.datastore.selector.Selector.Equals("pod", "c")).name();
    String http = new NftSet.NamedPorts("http", Protocols.TCP).name();
    String allow =
        " meta mark set meta mark | 0x10000 return comment \"NetworkPolicy x/p spec.ingress[0]\"";
    String src = "meta l4proto 6 ip saddr @" + inX + " ip saddr != @" + notC;
    assertThat(r.texts())
        .containsExactly(
            src + " th dport != 1500 th dport { 80, 1000-2000 }" + allow,
            src + " th dport != 1500 ip daddr . meta l4proto . th dport @" + http + allow);
    assertThat(r.sets()).extracting(NftSet::name).containsExactlyInAnyOrder(inX, notC, http);
  }

  @Test
  void actionsAndIcmp() {
    CompiledPolicy p =
        compile(
            calico(
                "GlobalNetworkPolicy",
                null,
                "g",
                "egress:\n- action: Deny\n  protocol: ICMP\n  icmp: {type: 8, code: 0}\n- action: Pass\n  destination: {nets: [10.0.0.0/8]}\n- action: Log"));
    assertThat(PolicyRenderer.policy(p, Direction.EGRESS).texts())
        .containsExactly(
            "meta l4proto 1 icmp type 8 icmp code 0 drop comment \"GlobalNetworkPolicy g spec.egress[0]\"",
            "ip daddr 10.0.0.0/8 meta mark set meta mark | 0x20000 return comment \"GlobalNetworkPolicy g spec.egress[1]\"",
            "log prefix \"netctl "
                + Names.hash("GlobalNetworkPolicy g")
                + " \" comment \"GlobalNetworkPolicy g spec.egress[2]\"");
  }

  @Test
  void endpointChainsWalkTiersWithMarks() {
    CompiledPolicy a =
        compile(calico("GlobalNetworkPolicy", null, "a", "order: 1\ningress:\n- action: Allow"));
    assertThat(endpointChain(List.of(List.of(a)), t -> Action.DENY))
        .containsExactly(
            "meta mark set meta mark & 0xfffcffff",
            "meta mark & 0x30000 == 0x0 jump " + Names.policyChain(a.id(), Direction.INGRESS),
            "meta mark & 0x10000 == 0x10000 return",
            "meta mark & 0x20000 == 0x0 drop comment \"end of tier default\"",
            "meta mark set meta mark & 0xfffdffff");
    assertThat(endpointChain(List.of(), t -> Action.DENY)).as("not isolated").isEmpty();
  }

  private static List<String> endpointChain(
      List<List<CompiledPolicy>> tiers, java.util.function.Function<String, Action> endOfTier) {
    return PolicyRenderer.endpoint(tiers, Direction.INGRESS, endOfTier).stream()
        .map(NftRule::text)
        .toList();
  }

  @Test
  void aTierWhoseDefaultActionIsPassHasNoEndOfTierDrop() {
    CompiledPolicy a =
        compile(
            calico(
                "GlobalNetworkPolicy",
                null,
                "a",
                "tier: security\norder: 1\ningress:\n- action: Deny\n  protocol: UDP"));
    CompiledPolicy b =
        compile(calico("GlobalNetworkPolicy", null, "b", "order: 1\ningress:\n- action: Allow"));
    assertThat(
            endpointChain(
                List.of(List.of(a), List.of(b)),
                t -> t.equals("security") ? Action.PASS : Action.DENY))
        .containsExactly(
            "meta mark set meta mark & 0xfffcffff",
            "meta mark & 0x30000 == 0x0 jump " + Names.policyChain(a.id(), Direction.INGRESS),
            "meta mark & 0x10000 == 0x10000 return",
            // security: nothing decided goes on, as if a Pass rule had matched
            "meta mark set meta mark & 0xfffdffff",
            "meta mark & 0x30000 == 0x0 jump " + Names.policyChain(b.id(), Direction.INGRESS),
            "meta mark & 0x10000 == 0x10000 return",
            "meta mark & 0x20000 == 0x0 drop comment \"end of tier default\"",
            "meta mark set meta mark & 0xfffdffff");
  }

  @Test
  void ipVersionKeepsARuleToItsFamily() {
    CompiledPolicy p =
        compile(
            calico(
                "NetworkPolicy",
                "x",
                "p",
                "ingress:\n- action: Allow\n  ipVersion: 6\n  protocol: TCP\n  destination: {ports: [80]}\n- action: Deny\n  ipVersion: 4\n  source: {selector: pod == 'a'}\n- action: Allow\n  ipVersion: 6\n  source: {notNets: [10.0.0.0/8]}"));
    String tag = " comment \"NetworkPolicy x/p spec.ingress[";
    String allow = " meta mark set meta mark | 0x10000 return" + tag;
    String podA =
        new NftSet.Addresses(
                Labels.and(
                    new dev.netctl.datastore.selector.Selector.Equals("pod", "a"),
                    Labels.inNamespace("x")))
            .name();
    assertThat(PolicyRenderer.policy(p, Direction.INGRESS).texts())
        .containsExactly(
            // no address: one rule, kept to IPv6 by the family match
            "meta nfproto ipv6 meta l4proto 6 th dport 80" + allow + "0]\"",
            // a selector: the IPv4 set's variant only, no IPv6 variant
            "ip saddr @" + podA + " drop" + tag + "1]\"",
            // IPv4 notNets under ipVersion 6 (validation refuses it; the renderer stays exact):
            // the IPv6 variant only
            "meta nfproto ipv6" + allow + "2]\"");
  }

  @Test
  void notIcmpWithACodeIsAnotherTypeOrTheSameTypeWithAnotherCode() {
    CompiledPolicy p =
        compile(
            calico(
                "NetworkPolicy",
                "x",
                "p",
                "ingress:\n- action: Allow\n  protocol: ICMP\n  notICMP: {type: 8, code: 0}"));
    String allow =
        " meta mark set meta mark | 0x10000 return comment \"NetworkPolicy x/p spec.ingress[0]\"";
    assertThat(PolicyRenderer.policy(p, Direction.INGRESS).texts())
        .containsExactly(
            "meta l4proto 1 icmp type != 8" + allow,
            "meta l4proto 1 icmp type 8 icmp code != 0" + allow);
  }

  @Test
  void whatNftCannotExpressIsRefusedSoThePolicyFailsClosed() {
    // validation refuses ports without a protocol; a named port that slipped through anyway has
    // no protocol to look its numbers up with
    CompiledPolicy p =
        compile(
            calico(
                "NetworkPolicy",
                "x",
                "p",
                "ingress:\n- action: Allow\n  destination: {ports: [http]}"));
    assertThatThrownBy(() -> PolicyRenderer.policy(p, Direction.INGRESS))
        .isInstanceOf(PolicyRenderer.UnrenderableException.class)
        .hasMessage("named port http needs a protocol in the rule");
    assertThat(PolicyRenderer.failClosed("why").texts())
        .containsExactly("drop comment \"fail closed: why\"");
  }

  private static List<String> ingress(String rules, Set<IpFamily> families) {
    CompiledPolicy p = compile(calico("GlobalNetworkPolicy", null, "g", "ingress:\n" + rules));
    return PolicyRenderer.policy(p, Direction.INGRESS, families).texts().stream()
        .map(r -> r.substring(0, r.indexOf(" meta mark set")))
        .toList();
  }

  @Test
  void nets_areRenderedInTheFamilyTheyBelongTo() {
    Set<IpFamily> both = EnumSet.allOf(IpFamily.class);
    assertThat(ingress("- action: Allow\n  source: {nets: ['fd00::/64']}", both))
        .containsExactly("ip6 saddr fd00::/64");
    assertThat(ingress("- action: Allow\n  source: {nets: [10.0.0.0/8, 'fd00::/64']}", both))
        .containsExactly("ip saddr 10.0.0.0/8", "ip6 saddr fd00::/64");
    assertThat(
            ingress(
                "- action: Allow\n  source: {nets: [10.0.0.0/8]}\n  destination: {nets: ['fd00::/64']}",
                both))
        .as("no packet is in an IPv4 and an IPv6 net at once")
        .isEmpty();
    assertThat(ingress("- action: Allow\n  source: {notNets: [10.1.0.0/16]}", both))
        .as("an IPv6 packet is in no IPv4 net: its variant has no address condition")
        .containsExactly("ip saddr != 10.1.0.0/16", "meta nfproto ipv6");
  }

  @Test
  void selectorsGetOneSetPerFamilyAndAnEmptyFamilyIsLeftOut() {
    String rule = "- action: Allow\n  source: {selector: pod == 'a'}";
    String v4 = new NftSet.Addresses(sel("pod", "a"), IpFamily.V4).name();
    String v6 = new NftSet.Addresses(sel("pod", "a"), IpFamily.V6).name();
    assertThat(v6).startsWith("s6-").isNotEqualTo(v4);
    assertThat(ingress(rule, EnumSet.allOf(IpFamily.class)))
        .containsExactly("ip saddr @" + v4, "ip6 saddr @" + v6);
    assertThat(ingress(rule, EnumSet.of(IpFamily.V4))).containsExactly("ip saddr @" + v4);
    assertThat(
            ingress(
                "- action: Allow\n  source: {notSelector: pod == 'a'}", EnumSet.of(IpFamily.V4)))
        .as("a negated set matches every packet of a family without endpoints")
        .containsExactly("ip saddr != @" + v4, "ip6 saddr != @" + v6);
    assertThat(new NftSet.NamedPorts("http", Protocols.TCP, IpFamily.V6).type())
        .isEqualTo("ipv6_addr . inet_proto . inet_service");
  }

  @Test
  void icmpv6IsOneRuleAndIcmpNeverMatchesIpv6() {
    Set<IpFamily> both = EnumSet.allOf(IpFamily.class);
    assertThat(ingress("- action: Allow\n  protocol: ICMPv6\n  icmp: {type: 128}", both))
        .containsExactly("meta l4proto 58 icmpv6 type 128");
    assertThat(
            ingress("- action: Allow\n  protocol: ICMPv6\n  source: {selector: pod == 'a'}", both))
        .containsExactly(
            "meta l4proto 58 ip6 saddr @"
                + new NftSet.Addresses(sel("pod", "a"), IpFamily.V6).name());
    assertThat(ingress("- action: Allow\n  protocol: ICMP\n  source: {selector: pod == 'a'}", both))
        .containsExactly(
            "meta l4proto 1 ip saddr @" + new NftSet.Addresses(sel("pod", "a")).name());
  }

  private static dev.netctl.datastore.selector.Selector sel(String k, String v) {
    return new dev.netctl.datastore.selector.Selector.Equals(k, v);
  }
}
