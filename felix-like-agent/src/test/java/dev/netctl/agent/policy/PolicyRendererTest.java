package dev.netctl.agent.policy;

import static dev.netctl.agent.policy.PolicyCases.calico;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
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
    PolicyRenderer.Rendered r = PolicyRenderer.policy(p, Direction.INGRESS);
    String notC =
        new NftSet.Addresses(
                Labels.and(
                    new dev.netctl.datastore.selector.Selector.Equals("pod", "c"),
                    Labels.inNamespace("x")))
            .name();
    String http = new NftSet.NamedPorts("http", Protocols.TCP).name();
    String allow =
        " meta mark set meta mark | 0x10000 return comment \"NetworkPolicy x/p spec.ingress[0]\"";
    assertThat(r.rules())
        .containsExactly(
            "meta l4proto 6 ip saddr != @"
                + notC
                + " th dport != { 1500 } th dport { 80, 1000-2000 }"
                + allow,
            "meta l4proto 6 ip saddr != @"
                + notC
                + " th dport != { 1500 } ip daddr . meta l4proto . th dport @"
                + http
                + allow);
    assertThat(r.sets()).extracting(NftSet::name).containsExactlyInAnyOrder(notC, http);
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
    assertThat(PolicyRenderer.policy(p, Direction.EGRESS).rules())
        .containsExactly(
            "meta l4proto 1 icmp type 8 icmp code 0 drop comment \"GlobalNetworkPolicy g spec.egress[0]\"",
            "ip daddr { 10.0.0.0/8 } meta mark set meta mark | 0x20000 return comment \"GlobalNetworkPolicy g spec.egress[1]\"",
            "log prefix \"netctl "
                + Names.hash("GlobalNetworkPolicy g")
                + " \" comment \"GlobalNetworkPolicy g spec.egress[2]\"");
  }

  @Test
  void endpointChainsWalkTiersWithMarks() {
    CompiledPolicy a =
        compile(calico("GlobalNetworkPolicy", null, "a", "order: 1\ningress:\n- action: Allow"));
    List<String> rules = PolicyRenderer.endpoint(List.of(List.of(a)), Direction.INGRESS);
    assertThat(rules)
        .containsExactly(
            "meta mark set meta mark & 0xfffcffff",
            "meta mark & 0x30000 == 0x0 jump " + Names.policyChain(a.id(), Direction.INGRESS),
            "meta mark & 0x10000 == 0x10000 return",
            "meta mark & 0x20000 == 0x0 drop comment \"end of tier default\"",
            "meta mark set meta mark & 0xfffdffff");
    assertThat(PolicyRenderer.endpoint(List.of(), Direction.INGRESS)).as("not isolated").isEmpty();
  }

  @Test
  void whatNftCannotExpressIsRefusedSoThePolicyFailsClosed() {
    CompiledPolicy v6 =
        compile(
            calico(
                "NetworkPolicy",
                "x",
                "p",
                "ingress:\n- action: Allow\n  source: {nets: ['fd00::/64']}"));
    assertThatThrownBy(() -> PolicyRenderer.policy(v6, Direction.INGRESS))
        .isInstanceOf(PolicyRenderer.UnrenderableException.class)
        .hasMessage("IPv6 nets are not rendered: fd00::/64");
    assertThat(PolicyRenderer.failClosed("why").rules())
        .containsExactly("drop comment \"fail closed: why\"");
  }
}
