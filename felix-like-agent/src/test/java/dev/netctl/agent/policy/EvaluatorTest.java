package dev.netctl.agent.policy;

import static dev.netctl.agent.policy.PolicyCases.calico;
import static dev.netctl.agent.policy.PolicyCases.knp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.agent.policy.Verdict.Outcome;
import org.junit.jupiter.api.Test;

/** Kubernetes' and Calico's policy semantics, one rule per test. */
class EvaluatorTest {
  private final Fixture f = new Fixture();

  private boolean tcp(Evaluator ev, String from, String to, int port) {
    return f.tcp(ev, from, to, port).allowed();
  }

  @Test
  void withoutPolicyEveryDirectionIsNotIsolated() {
    Verdict v = f.tcp(f.evaluator(""), "x/a", "y/b", 80);
    assertThat(v.allowed()).isTrue();
    assertThat(v.egress().outcome()).isEqualTo(Outcome.NOT_ISOLATED);
    assertThat(v.ingress().text()).isEqualTo("not isolated for ingress");
  }

  @Test
  void isolationIsPerDirectionAndOnlyForListedPolicyTypes() {
    Evaluator ev = f.evaluator(knp("x", "deny-egress", "podSelector: {}\npolicyTypes: [Egress]"));
    assertThat(tcp(ev, "x/a", "y/a", 80)).isFalse();
    assertThat(tcp(ev, "y/a", "x/a", 80)).as("ingress of x is not isolated").isTrue();
  }

  @Test
  void policyTypesDefaultToIngressPlusEgressWhenEgressRulesExist() {
    Evaluator onlyIngress = f.evaluator(knp("x", "p", "podSelector: {}"));
    assertThat(tcp(onlyIngress, "x/a", "y/a", 80)).isTrue();
    assertThat(tcp(onlyIngress, "y/a", "x/a", 80)).isFalse();
    Evaluator withEgress =
        f.evaluator(
            knp("x", "p", "podSelector: {}\ningress:\n- {}\negress:\n- to:\n  - podSelector: {}"));
    assertThat(tcp(withEgress, "x/a", "x/b", 80)).isTrue();
    assertThat(tcp(withEgress, "x/a", "y/a", 80)).as("egress isolated by default").isFalse();
  }

  @Test
  void anEmptyRuleListDeniesAndAnEmptyRuleAllowsEverything() {
    Evaluator deny = f.evaluator(knp("x", "p", "podSelector: {}\ningress: []"));
    Verdict v = f.tcp(deny, "y/a", "x/a", 80);
    assertThat(v.allowed()).isFalse();
    assertThat(v.ingress().outcome()).isEqualTo(Outcome.NO_RULE);
    assertThat(v.ingress().text())
        .isEqualTo("isolated by KubernetesNetworkPolicy x/p; no rule allows");
    Evaluator allow = f.evaluator(knp("x", "p", "podSelector: {}\ningress:\n- {}"));
    Verdict a = f.tcp(allow, "y/a", "x/a", 80);
    assertThat(a.allowed()).isTrue();
    assertThat(a.ingress().text())
        .isEqualTo("allowed by KubernetesNetworkPolicy x/p spec.ingress[0]");
  }

  @Test
  void peersAreOredAndSelectorsInOnePeerAnded() {
    Evaluator and =
        f.evaluator(
            knp(
                "x",
                "p",
                "podSelector: {}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: y}}\n    podSelector: {matchLabels: {pod: b}}"));
    assertThat(tcp(and, "y/b", "x/a", 80)).isTrue();
    assertThat(tcp(and, "y/a", "x/a", 80)).isFalse();
    assertThat(tcp(and, "z/b", "x/a", 80)).isFalse();
    Evaluator or =
        f.evaluator(
            knp(
                "x",
                "p",
                "podSelector: {}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: y}}\n  - podSelector: {matchLabels: {pod: b}}"));
    assertThat(tcp(or, "y/a", "x/a", 80)).isTrue();
    assertThat(tcp(or, "x/b", "x/a", 80)).isTrue();
    assertThat(tcp(or, "z/b", "x/a", 80)).as("podSelector alone: own namespace").isFalse();
  }

  @Test
  void anEmptyNamespaceSelectorMeansEveryNamespace() {
    Evaluator ev =
        f.evaluator(
            knp(
                "x",
                "p",
                "podSelector: {}\ningress:\n- from:\n  - namespaceSelector: {}\n    podSelector: {matchLabels: {pod: c}}"));
    assertThat(tcp(ev, "z/c", "x/a", 80)).isTrue();
    assertThat(tcp(ev, "x/c", "x/a", 80)).isTrue();
    assertThat(tcp(ev, "z/b", "x/a", 80)).isFalse();
  }

  @Test
  void ipBlockExceptCarvesOutAddresses() {
    Evaluator ev =
        f.evaluator(
            knp(
                "x",
                "p",
                "podSelector: {}\ningress:\n- from:\n  - ipBlock: {cidr: 10.0.0.0/28, except: [10.0.0.4/30]}"));
    assertThat(tcp(ev, "y/c", "x/a", 80)).as("10.0.0.6 is in the except").isFalse();
    assertThat(tcp(ev, "z/a", "x/a", 80)).as("10.0.0.7 is in the except").isFalse();
    assertThat(tcp(ev, "z/b", "x/a", 80)).as("10.0.0.8").isTrue();
    assertThat(
            f.evaluator(
                    knp(
                        "x",
                        "p",
                        "podSelector: {}\ningress:\n- from:\n  - ipBlock: {cidr: 10.0.0.0/28}"))
                .evaluate(Fixture.ip("192.168.1.1"), f.ipOf("x/a"), Protocols.TCP, 80)
                .allowed())
        .isFalse();
  }

  @Test
  void protocolDefaultsToTcpAndEndPortMakesARange() {
    Evaluator ev =
        f.evaluator(
            knp("x", "p", "podSelector: {}\ningress:\n- ports:\n  - {port: 80, endPort: 82}"));
    assertThat(tcp(ev, "y/a", "x/a", 80)).isTrue();
    assertThat(tcp(ev, "y/a", "x/a", 82)).isTrue();
    assertThat(tcp(ev, "y/a", "x/a", 83)).isFalse();
    assertThat(ev.evaluate(f.ipOf("y/a"), f.ipOf("x/a"), Protocols.UDP, 80).allowed())
        .as("protocol defaults to TCP")
        .isFalse();
  }

  @Test
  void namedPortsResolveOnTheDestinationPod() {
    Evaluator ev =
        f.evaluator(knp("y", "p", "podSelector: {}\ningress:\n- ports:\n  - {port: http}"));
    assertThat(tcp(ev, "x/a", "y/a", 8080)).isTrue();
    assertThat(tcp(ev, "x/a", "y/b", 8080)).as("y/b's http is 9090").isFalse();
    assertThat(tcp(ev, "x/a", "y/b", 9090)).isTrue();
    Evaluator egress =
        f.evaluator(
            knp(
                "x",
                "e",
                "podSelector: {}\npolicyTypes: [Egress]\negress:\n- ports:\n  - {port: http}"));
    assertThat(tcp(egress, "x/a", "y/b", 9090)).isTrue();
    assertThat(tcp(egress, "x/a", "y/b", 8080)).isFalse();
    assertThat(
            egress
                .evaluate(f.ipOf("x/a"), Fixture.ip("192.168.1.1"), Protocols.TCP, 8080)
                .allowed())
        .as("a plain address has no named ports")
        .isFalse();
  }

  @Test
  void allowsAreUnionedAcrossPolicies() {
    Evaluator ev =
        f.evaluator(
            knp("x", "one", "podSelector: {}\ningress:\n- ports:\n  - {port: 80}")
                + knp("x", "two", "podSelector: {}\ningress:\n- ports:\n  - {port: 81}"));
    assertThat(tcp(ev, "y/a", "x/a", 80)).isTrue();
    Verdict v = f.tcp(ev, "y/a", "x/a", 81);
    assertThat(v.allowed()).isTrue();
    assertThat(v.ingress().policy().name()).isEqualTo("two");
    assertThat(tcp(ev, "y/a", "x/a", 82)).isFalse();
  }

  @Test
  void egressOfTheSourceAndIngressOfTheDestinationMustBothAllow() {
    Evaluator ev =
        f.evaluator(
            knp("x", "in", "podSelector: {}\ningress:\n- {}")
                + knp("y", "out", "podSelector: {}\npolicyTypes: [Egress]"));
    Verdict v = f.tcp(ev, "y/a", "x/a", 80);
    assertThat(v.allowed()).isFalse();
    assertThat(v.ingress().allows()).isTrue();
    assertThat(v.egress().outcome()).isEqualTo(Outcome.NO_RULE);
  }

  @Test
  void theNodeMayAlwaysReachItsOwnPods() {
    Evaluator ev = f.evaluator(knp("x", "p", "podSelector: {}"));
    Verdict v = ev.evaluate(Fixture.ip("192.168.0.10"), f.ipOf("x/a"), Protocols.TCP, 80, true);
    assertThat(v.allowed()).isTrue();
    assertThat(v.ingress().outcome()).isEqualTo(Outcome.FROM_NODE);
  }

  @Test
  void calicoOrderPutsALowOrderDenyBeforeKubernetesAllows() {
    Evaluator ev =
        f.evaluator(
            knp("x", "allow", "podSelector: {}\ningress:\n- {}")
                + calico(
                    "GlobalNetworkPolicy",
                    null,
                    "deny-z",
                    "order: 10\ningress:\n- action: Deny\n  source: {namespaceSelector: ns == 'z'}"));
    Verdict v = f.tcp(ev, "z/a", "x/a", 80);
    assertThat(v.allowed()).isFalse();
    assertThat(v.ingress().outcome()).isEqualTo(Outcome.DENIED);
    assertThat(v.ingress().text())
        .isEqualTo("denied by GlobalNetworkPolicy deny-z spec.ingress[0]");
    assertThat(tcp(ev, "y/a", "x/a", 80))
        .as("the global policy has no rule for y: next policy")
        .isTrue();
  }

  @Test
  void equalOrdersAreSortedByNameAndAbsentOrderComesLast() {
    String allow = "selector: all()\ningress:\n- action: Allow";
    String deny = "selector: all()\ningress:\n- action: Deny";
    Evaluator byName =
        f.evaluator(
            calico("GlobalNetworkPolicy", null, "b-deny", "order: 5\n" + deny)
                + calico("GlobalNetworkPolicy", null, "a-allow", "order: 5\n" + allow));
    assertThat(tcp(byName, "y/a", "x/a", 80)).isTrue();
    Evaluator absentLast =
        f.evaluator(
            calico("GlobalNetworkPolicy", null, "a-allow", allow)
                + calico("GlobalNetworkPolicy", null, "b-deny", "order: 5000\n" + deny));
    assertThat(tcp(absentLast, "y/a", "x/a", 80)).isFalse();
  }

  @Test
  void passSkipsTheRestOfTheTierAndTiersApplyInOrder() {
    String tiers =
        "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: first}\nspec: {order: 10}\n---\n";
    Evaluator ev =
        f.evaluator(
            tiers
                + calico(
                    "GlobalNetworkPolicy",
                    null,
                    "first.p",
                    "tier: first\ningress:\n- action: Pass\n  source: {namespaceSelector: ns == 'y'}\n- action: Deny")
                + knp(
                    "x",
                    "only-a",
                    "podSelector: {}\ningress:\n- from:\n  - namespaceSelector: {}\n    podSelector: {matchLabels: {pod: a}}"));
    assertThat(tcp(ev, "y/a", "x/b", 80)).isTrue();
    assertThat(tcp(ev, "y/b", "x/b", 80)).as("passed, then no Kubernetes rule allows").isFalse();
    assertThat(f.tcp(ev, "z/a", "x/b", 80).ingress().outcome()).isEqualTo(Outcome.DENIED);
    Evaluator passOnly =
        f.evaluator(
            tiers
                + calico(
                    "GlobalNetworkPolicy",
                    null,
                    "first.p",
                    "tier: first\ningress:\n- action: Pass"));
    Verdict v = f.tcp(passOnly, "y/a", "x/b", 80);
    assertThat(v.allowed()).isTrue();
    assertThat(v.ingress().outcome())
        .as("passed by every tier: the profile allows")
        .isEqualTo(Outcome.PASSED);
  }

  @Test
  void logGoesOnToTheNextRule() {
    Evaluator ev =
        f.evaluator(
            calico(
                "NetworkPolicy",
                "x",
                "p",
                "ingress:\n- action: Log\n- action: Allow\n  protocol: TCP"));
    assertThat(tcp(ev, "y/a", "x/a", 80)).isTrue();
    assertThat(ev.evaluate(f.ipOf("y/a"), f.ipOf("x/a"), Protocols.UDP, 80).allowed()).isFalse();
  }

  @Test
  void calicoRuleSelectorsOfANamespacedPolicyMeanItsNamespace() {
    Evaluator ev =
        f.evaluator(
            calico(
                "NetworkPolicy",
                "x",
                "p",
                "ingress:\n- action: Allow\n  source: {selector: pod == 'b'}"));
    assertThat(tcp(ev, "x/b", "x/a", 80)).isTrue();
    assertThat(tcp(ev, "y/b", "x/a", 80)).isFalse();
    assertThat(tcp(ev, "y/b", "y/a", 80)).as("the policy selects only x's pods").isTrue();
  }

  @Test
  void notPortsAndNotProtocolExclude() {
    Evaluator ev =
        f.evaluator(
            calico(
                "NetworkPolicy",
                "x",
                "p",
                "ingress:\n- action: Allow\n  protocol: TCP\n  destination: {ports: ['80:90'], notPorts: [85]}\n- action: Allow\n  notProtocol: TCP"));
    assertThat(tcp(ev, "y/a", "x/a", 84)).isTrue();
    assertThat(tcp(ev, "y/a", "x/a", 85)).isFalse();
    assertThat(ev.evaluate(f.ipOf("y/a"), f.ipOf("x/a"), Protocols.UDP, 85).allowed()).isTrue();
  }

  @Test
  void aPolicyThatCannotBeCompiledFailsClosed() {
    CompiledPolicy broken =
        PolicyCompiler.compile(
                Fixture.CODEC.readOne(knp("x", "p", "podSelector: {}\ningress:\n- {}")))
            .failed("because");
    Evaluator ev =
        new Evaluator(
            new PolicyModel(java.util.List.of(broken), java.util.Map.of()),
            f.endpoints,
            f.namespaces);
    Verdict v = f.tcp(ev, "y/a", "x/a", 80);
    assertThat(v.allowed()).isFalse();
    assertThat(v.ingress().outcome()).isEqualTo(Outcome.FAILED_CLOSED);
    assertThat(v.egress().outcome()).isEqualTo(Outcome.NOT_ISOLATED);
  }

  @Test
  void icmpTypeAndCodeMatchIcmpQueriesOfTheirFamilyOnly() {
    Evaluator ev =
        f.evaluator(
            calico(
                    "NetworkPolicy",
                    "x",
                    "echo",
                    "selector: all()\ningress:\n- action: Allow\n  protocol: ICMP\n  icmp: {type: 8, code: 0}")
                + calico(
                    "NetworkPolicy",
                    "y",
                    "not-echo",
                    "selector: all()\ningress:\n- action: Allow\n  protocol: ICMPv6\n  notICMP: {type: 128}"));
    assertThat(icmp(ev, "y/a", "x/a", Protocols.ICMP, 8)).as("echo request").isTrue();
    assertThat(icmp(ev, "y/a", "x/a", Protocols.ICMP, 13)).as("timestamp").isFalse();
    assertThat(icmp(ev, "y/a", "x/a", Protocols.ICMPV6, 128)).as("other family").isFalse();
    assertThat(tcp(ev, "y/a", "x/a", 8)).as("a TCP port that equals the type").isFalse();
    assertThat(icmp(ev, "x/a", "y/a", Protocols.ICMPV6, 128)).as("notICMP excludes").isFalse();
    assertThat(icmp(ev, "x/a", "y/a", Protocols.ICMPV6, 135)).isTrue();
    assertThat(icmp(ev, "x/a", "y/a", Protocols.ICMP, 135)).as("ICMPv6 rule, ICMP").isFalse();
  }

  @Test
  void theNamespaceNameLabelIsThereWithoutBeingGiven() {
    // the fixture's namespaces carry only "ns": the name label comes from Labels.effective
    Evaluator ev =
        f.evaluator(
            knp(
                "x",
                "p",
                "podSelector: {}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}"));
    assertThat(tcp(ev, "y/c", "x/a", 80)).isTrue();
    assertThat(tcp(ev, "z/c", "x/a", 80)).isFalse();
  }

  private boolean icmp(Evaluator ev, String from, String to, int protocol, int type) {
    return ev.evaluate(f.ipOf(from), f.ipOf(to), protocol, type).allowed();
  }

  /** Whether a packet passes; {@code from}/{@code to} are pods ({@code x/a}) or addresses. */
  private boolean allows(Evaluator ev, String from, String to, int protocol, int port) {
    return ev.evaluate(at(from), at(to), protocol, port).allowed();
  }

  private java.net.InetAddress at(String podOrAddress) {
    return podOrAddress.contains("/") ? f.ipOf(podOrAddress) : Fixture.ip(podOrAddress);
  }

  @Test
  void calicoTypesDefaultToEgressOnlyWhenAPolicyHasOnlyEgressRules() {
    // Calico's defaulting: no types and only egress rules means [Egress]; ingress stays open
    Evaluator ev =
        f.evaluator(
            calico(
                "NetworkPolicy",
                "x",
                "out",
                "egress:\n- action: Allow\n  destination: {selector: pod == 'b'}"));
    assertThat(tcp(ev, "x/a", "x/b", 80)).isTrue();
    assertThat(tcp(ev, "x/a", "x/c", 80)).as("egress isolated").isFalse();
    Verdict in = f.tcp(ev, "y/a", "x/a", 80);
    assertThat(in.ingress().outcome()).as("ingress not isolated").isEqualTo(Outcome.NOT_ISOLATED);
    assertThat(in.allowed()).isTrue();
    Evaluator both =
        f.evaluator(
            calico(
                "GlobalNetworkPolicy",
                null,
                "both",
                "ingress:\n- action: Allow\n  source: {selector: pod == 'b'}\negress:\n- action: Allow\n  destination: {selector: pod == 'b'}"));
    assertThat(tcp(both, "y/a", "x/a", 80)).as("ingress and egress both isolated").isFalse();
    assertThat(tcp(both, "y/b", "x/b", 80)).isTrue();
    Evaluator none =
        f.evaluator(calico("GlobalNetworkPolicy", null, "none", "selector: ns == 'q'"));
    assertThat(
            PolicyCompiler.compile(
                Fixture.CODEC
                    .read(calico("GlobalNetworkPolicy", null, "n", "selector: all()"))
                    .getFirst()))
        .extracting(CompiledPolicy::ingress, CompiledPolicy::egress)
        .as("no rules at all: [Ingress]")
        .containsExactly(true, false);
    assertThat(tcp(none, "x/a", "y/a", 80)).isTrue();
  }

  @Test
  void aNamespacedCalicoNotSelectorAloneStillMeansEndpointsOfThePolicysNamespace() {
    // Calico scopes a namespaced rule to its namespace as soon as any selector field is used,
    // notSelector included: "pods of x except b", not "everything except x/b"
    Evaluator ev =
        f.evaluator(
            calico(
                "NetworkPolicy",
                "x",
                "p",
                "ingress:\n- action: Allow\n  source: {notSelector: pod == 'b'}"));
    assertThat(tcp(ev, "x/c", "x/a", 80)).isTrue();
    assertThat(tcp(ev, "x/b", "x/a", 80)).isFalse();
    assertThat(tcp(ev, "y/a", "x/a", 80)).as("a pod of another namespace").isFalse();
    assertThat(allows(ev, "192.168.1.1", "x/a", Protocols.TCP, 80))
        .as("an address outside the cluster")
        .isFalse();
    Evaluator global =
        f.evaluator(
            calico(
                "GlobalNetworkPolicy",
                null,
                "g",
                "selector: projectcalico.org/namespace == 'x'\ningress:\n- action: Allow\n  source: {notSelector: pod == 'b'}"));
    assertThat(tcp(global, "y/a", "x/a", 80)).as("global: any endpoint but b").isTrue();
    assertThat(tcp(global, "y/b", "x/a", 80)).isFalse();
    assertThat(allows(global, "192.168.1.1", "x/a", Protocols.TCP, 80))
        .as("global: a plain address is no endpoint b")
        .isTrue();
  }

  @Test
  void calicoSelectorOperatorsMatchAsCalicoDefinesThem() {
    String ns = "ingress:\n- action: Allow\n  source: {namespaceSelector: all(), selector: %s}";
    Evaluator in =
        f.evaluator(calico("NetworkPolicy", "x", "p", ns.formatted("\"pod in {'a', 'b'}\"")));
    assertThat(tcp(in, "z/b", "x/a", 80)).isTrue();
    assertThat(tcp(in, "z/c", "x/a", 80)).isFalse();
    Evaluator notIn =
        f.evaluator(
            calico("NetworkPolicy", "x", "p", ns.formatted("\"pod not in {'a'} && !has(role)\"")));
    assertThat(tcp(notIn, "y/c", "x/a", 80)).isTrue();
    assertThat(tcp(notIn, "y/a", "x/a", 80)).isFalse();
    Evaluator hasNs =
        f.evaluator(
            calico(
                "NetworkPolicy",
                "x",
                "p",
                "ingress:\n- action: Allow\n  source: {namespaceSelector: \"has(ns) && ns != 'y'\"}"));
    assertThat(tcp(hasNs, "z/c", "x/a", 80)).isTrue();
    assertThat(tcp(hasNs, "y/c", "x/a", 80)).isFalse();
    assertThat(allows(hasNs, "192.168.1.1", "x/a", Protocols.TCP, 80))
        .as("a namespace selector matches workloads only")
        .isFalse();
  }

  @Test
  void calicoProtocolNumbersAndPortRangesMatchLikeTheirNames() {
    Evaluator ev =
        f.evaluator(
            calico(
                "NetworkPolicy",
                "x",
                "p",
                "ingress:\n- action: Allow\n  protocol: 6\n  destination: {ports: ['1000:2000', 80]}\n- action: Allow\n  protocol: 132"));
    assertThat(tcp(ev, "y/a", "x/a", 1500)).isTrue();
    assertThat(tcp(ev, "y/a", "x/a", 2001)).isFalse();
    assertThat(tcp(ev, "y/a", "x/a", 80)).isTrue();
    assertThat(allows(ev, "y/a", "x/a", Protocols.SCTP, 5000)).isTrue();
    assertThat(allows(ev, "y/a", "x/a", Protocols.UDP, 80)).isFalse();
  }

  @Test
  void kubernetesEgressToAnAddressOutsideTheClusterFollowsIpBlocks() {
    Evaluator ev =
        f.evaluator(
            knp(
                "x",
                "e",
                "podSelector: {}\npolicyTypes: [Egress]\negress:\n- to:\n  - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}\n  ports:\n  - {port: 443}\n- to:\n  - ipBlock: {cidr: 8.8.8.8/32}\n  ports:\n  - {protocol: UDP, port: 53}"));
    assertThat(allows(ev, "x/a", "203.0.113.9", Protocols.TCP, 443)).isTrue();
    assertThat(allows(ev, "x/a", "203.0.113.9", Protocols.TCP, 80)).isFalse();
    assertThat(tcp(ev, "x/a", "y/a", 443)).as("pods are in the except").isFalse();
    assertThat(allows(ev, "x/a", "8.8.8.8", Protocols.UDP, 53)).isTrue();
    assertThat(allows(ev, "x/a", "8.8.4.4", Protocols.UDP, 53)).isFalse();
    assertThat(allows(ev, "x/a", "8.8.8.8", Protocols.SCTP, 53)).isFalse();
  }

  @Test
  void kubernetesSctpPortsAndMatchExpressions() {
    Evaluator ev =
        f.evaluator(
            knp(
                "x",
                "p",
                "podSelector: {}\ningress:\n- from:\n  - namespaceSelector: {matchExpressions: [{key: ns, operator: NotIn, values: [y]}]}\n    podSelector: {matchExpressions: [{key: role, operator: DoesNotExist}]}\n  ports:\n  - {protocol: SCTP, port: 80, endPort: 81}"));
    assertThat(allows(ev, "z/a", "x/a", Protocols.SCTP, 81)).isTrue();
    assertThat(allows(ev, "z/a", "x/a", Protocols.SCTP, 82)).isFalse();
    assertThat(allows(ev, "y/a", "x/a", Protocols.SCTP, 80)).isFalse();
    assertThat(tcp(ev, "z/a", "x/a", 80)).isFalse();
  }

  @Test
  void aRuleWithIpVersionLeavesTheOtherFamilyToTheNextRule() {
    // dual-stack x/a and y/a: Allow for IPv6 only, then Deny for the rest
    Endpoint xa = dualStack("x", "a", 1);
    Endpoint ya = dualStack("y", "a", 4);
    PolicyModel model =
        new PolicyModel(
            java.util.List.of(
                PolicyCompiler.compile(
                    Fixture.CODEC.readOne(
                        calico(
                            "NetworkPolicy",
                            "x",
                            "v6",
                            "ingress:\n- action: Allow\n  ipVersion: 6\n- action: Deny")))),
            java.util.Map.of());
    Evaluator ev = new Evaluator(model, java.util.List.of(xa, ya), f.namespaces);
    Verdict v4 = ev.evaluate(ya.ipv4(), xa.ipv4(), Protocols.TCP, 80);
    assertThat(v4.allowed()).isFalse();
    assertThat(v4.ingress().text()).isEqualTo("denied by NetworkPolicy x/v6 spec.ingress[1]");
    Verdict v6 = ev.evaluate(ya.address(IpFamily.V6), xa.address(IpFamily.V6), Protocols.TCP, 80);
    assertThat(v6.allowed()).isTrue();
    assertThat(v6.ingress().text()).isEqualTo("allowed by NetworkPolicy x/v6 spec.ingress[0]");
  }

  private static Endpoint dualStack(String ns, String pod, int n) {
    return new Endpoint(
        ns,
        pod,
        java.util.Map.of("pod", pod),
        java.util.List.of(Fixture.ip("10.0.0." + n), Fixture.ip("fd00::" + n)),
        "cali" + ns + pod,
        "node",
        java.util.List.of());
  }

  private static final String SECURITY_DENIES_C =
      calico(
          "GlobalNetworkPolicy",
          null,
          "security.no-c",
          "tier: security\nnamespaceSelector: ns == 'x'\ningress:\n- action: Deny\n  source: {selector: pod == 'c', namespaceSelector: all()}");

  private static String tier(String defaultAction) {
    return "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: security}\nspec: {order: 100"
        + (defaultAction == null ? "" : ", defaultAction: " + defaultAction)
        + "}\n---\n";
  }

  @Test
  void aTierWhoseDefaultActionIsPassLetsTheNextTierDecide() {
    String fromY =
        knp(
            "x",
            "from-y",
            "podSelector: {}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: y}}");
    Evaluator pass = f.evaluator(tier("Pass") + SECURITY_DENIES_C + fromY);
    Verdict y = f.tcp(pass, "y/a", "x/a", 80);
    assertThat(y.allowed()).isTrue();
    assertThat(y.ingress().text())
        .isEqualTo(
            "allowed by KubernetesNetworkPolicy x/from-y spec.ingress[0].from[0] (tier security"
                + " decided nothing and passed it on: defaultAction Pass)");
    Verdict z = f.tcp(pass, "z/a", "x/a", 80);
    assertThat(z.allowed()).as("the default tier isolates x").isFalse();
    assertThat(z.ingress().outcome()).isEqualTo(Outcome.NO_RULE);
    assertThat(f.tcp(pass, "y/c", "x/a", 80).ingress().text())
        .as("a rule of the tier still decides")
        .isEqualTo("denied by GlobalNetworkPolicy security.no-c spec.ingress[0]");

    // absent (and Deny): the end of the tier drops what its policies did not decide
    for (String deny : new String[] {null, "Deny"}) {
      Verdict d = f.tcp(f.evaluator(tier(deny) + SECURITY_DENIES_C + fromY), "y/a", "x/a", 80);
      assertThat(d.allowed()).as(String.valueOf(deny)).isFalse();
      assertThat(d.ingress().text())
          .isEqualTo("isolated by GlobalNetworkPolicy security.no-c; no rule allows");
    }

    // the last tier passing: the profile allows
    Verdict alone = f.tcp(f.evaluator(tier("Pass") + SECURITY_DENIES_C), "z/a", "x/a", 80);
    assertThat(alone.allowed()).isTrue();
    assertThat(alone.ingress().outcome()).isEqualTo(Outcome.PASSED);
  }

  @Test
  void globalNamespaceSelectorSelectsOnlyWhatHasNoNamespaceSoNoWorkload() {
    // Calico: global() selects GlobalNetworkSets and HostEndpoints, the opposite of all(); netctl
    // has neither, so an Allow from global() allows no pod, with or without a selector
    Evaluator global =
        f.evaluator(
            calico(
                "NetworkPolicy",
                "x",
                "p",
                "ingress:\n- action: Allow\n  source: {namespaceSelector: global()}\n- action: Allow\n  source: {namespaceSelector: global(), selector: pod == 'a'}"));
    for (String from : new String[] {"x/a", "y/a", "z/b"}) {
      assertThat(f.tcp(global, from, "x/b", 80).ingress().outcome())
          .as(from)
          .isEqualTo(Outcome.NO_RULE);
    }
    Evaluator all =
        f.evaluator(
            calico(
                "NetworkPolicy",
                "x",
                "p",
                "ingress:\n- action: Allow\n  source: {namespaceSelector: all(), selector: pod == 'a'}"));
    assertThat(tcp(all, "y/a", "x/b", 80)).isTrue();
    assertThat(tcp(all, "y/b", "x/b", 80)).isFalse();
  }

  /** x/a and y/a run as web, x/b as api, the c pods as none; ksa profiles label y's web. */
  private static PolicySnapshot serviceAccounts(String policies) {
    java.util.List<Endpoint> pods = new java.util.ArrayList<>();
    Fixture f = new Fixture();
    for (Endpoint e : f.endpoints) {
      String sa =
          e.name().equals("a")
              ? "web"
              : e.name().equals("b") && e.namespace().equals("x") ? "api" : null;
      java.util.Map<String, String> labels = new java.util.HashMap<>(e.labels());
      if (sa != null) labels.put(Labels.SERVICE_ACCOUNT, sa);
      pods.add(
          new Endpoint(
              e.namespace(),
              e.name(),
              labels,
              e.addresses(),
              e.interfaceName(),
              e.node(),
              e.ports()));
    }
    String profiles =
        """
        apiVersion: projectcalico.org/v3
        kind: Profile
        metadata: {name: ksa.y.web}
        spec:
          labelsToApply: {team: a}
        ---
        apiVersion: projectcalico.org/v3
        kind: Profile
        metadata: {name: ksa.x.api}
        spec:
          labelsToApply: {team: b}
        ---
        """;
    return PolicySnapshot.of(Fixture.CODEC.read(profiles + policies), pods, f.namespaces);
  }

  private static boolean tcp(PolicySnapshot s, String from, String to) {
    return s.evaluator()
        .evaluate(s.endpoint(from).ipv4(), s.endpoint(to).ipv4(), Protocols.TCP, 80)
        .allowed();
  }

  @Test
  void serviceAccountNamesMatchThePodsServiceAccountInThePolicysNamespace() {
    PolicySnapshot s =
        serviceAccounts(
            calico(
                "NetworkPolicy",
                "x",
                "p",
                "ingress:\n- action: Allow\n  source: {serviceAccounts: {names: [web]}}"));
    assertThat(tcp(s, "x/a", "x/c")).isTrue();
    assertThat(tcp(s, "x/b", "x/c")).as("another service account").isFalse();
    assertThat(tcp(s, "x/c", "x/b")).as("no service account").isFalse();
    assertThat(tcp(s, "y/a", "x/c")).as("web of another namespace").isFalse();
    PolicySnapshot anyNs =
        serviceAccounts(
            calico(
                "NetworkPolicy",
                "x",
                "p",
                "ingress:\n- action: Allow\n  source: {serviceAccounts: {names: [web]}, namespaceSelector: all()}"));
    assertThat(tcp(anyNs, "y/a", "x/c")).isTrue();
    assertThat(tcp(anyNs, "y/b", "x/c")).isFalse();
  }

  @Test
  void serviceAccountSelectorsMatchTheServiceAccountsLabelsAndAndWithNames() {
    PolicySnapshot s =
        serviceAccounts(
            calico(
                "GlobalNetworkPolicy",
                null,
                "g",
                "namespaceSelector: ns == 'z'\ningress:\n- action: Deny\n  source: {serviceAccounts: {selector: team == 'b'}}\n- action: Allow\n  source: {serviceAccounts: {names: [web], selector: has(team)}}"));
    assertThat(tcp(s, "y/a", "z/a")).as("y's web has team a").isTrue();
    assertThat(tcp(s, "x/a", "z/a")).as("x's web has no labels").isFalse();
    assertThat(
            s.evaluator()
                .evaluate(s.endpoint("x/b").ipv4(), s.endpoint("z/a").ipv4(), Protocols.TCP, 80)
                .ingress()
                .text())
        .isEqualTo("denied by GlobalNetworkPolicy g spec.ingress[0]");
    // a policy's serviceAccountSelector narrows the endpoints it applies to
    PolicySnapshot applies =
        serviceAccounts(
            calico(
                "GlobalNetworkPolicy",
                null,
                "g",
                "serviceAccountSelector: team == 'a'\ningress:\n- action: Deny"));
    assertThat(tcp(applies, "x/b", "y/a")).as("y/a runs as web, team a").isFalse();
    assertThat(tcp(applies, "x/b", "x/a")).as("x's web has no team").isTrue();
    assertThat(tcp(applies, "x/b", "y/b")).as("no service account").isTrue();
  }
}
