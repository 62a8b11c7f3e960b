package dev.netctl.agent.policy;

import static dev.netctl.agent.policy.PolicyCases.calico;
import static dev.netctl.agent.policy.PolicyCases.knp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.model.Resource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The manager's transactions, against a recording nft (no root). */
class PolicyManagerTest {
  private final Fixture f = new Fixture();
  private final RecordingNft nft = new RecordingNft();
  private PolicyManager m;

  @BeforeEach
  void setUp() {
    m = new PolicyManager("node", "cali", nft);
    for (var ns : f.namespaces.entrySet()) m.onNamespace(ns.getKey(), ns.getValue());
    // x's pods are local, the others live on another node
    for (Endpoint e : f.endpoints) {
      Endpoint placed =
          new Endpoint(
              e.namespace(),
              e.name(),
              e.labels(),
              e.addresses(),
              e.interfaceName(),
              e.namespace().equals("x") ? "node" : "other",
              e.ports());
      m.onEndpointUpdate(e.id(), placed);
    }
  }

  private void apply(String yaml) {
    for (Resource r : Fixture.CODEC.read(yaml)) m.onUpdate(r);
    m.apply();
  }

  private static String fromY(int port) {
    return knp(
        "x",
        "from-y",
        "podSelector: {matchLabels: {pod: a}}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: y}}\n  ports:\n  - port: "
            + port);
  }

  @Test
  void firstApplyBuildsTheTableWithFailClosedDispatchForLocalEndpointsOnly() {
    apply(fromY(80));
    String s = nft.last();
    assertThat(s).startsWith("add table inet netctl\n");
    assertThat(s).contains("add rule inet netctl forward ct state established,related accept\n");
    assertThat(s).contains("add rule inet netctl forward ct state invalid drop\n");
    assertThat(s)
        .contains(
            "add rule inet netctl from-wl drop comment \"unknown workload interface: fail closed\"");
    assertThat(s)
        .contains("\"calixa\" : goto " + m.endpointChain("calixa", Direction.INGRESS))
        .doesNotContain("caliya");
    String set =
        new NftSet.Addresses(
                Labels.namespaceSelector(
                    new dev.netctl.datastore.selector.Selector.Equals("ns", "y")))
            .name();
    assertThat(s).contains("add element inet netctl " + set + " { ");
    assertThat(s)
        .containsPattern("add element inet netctl " + set + " \\{ [0-9., ]*10\\.0\\.0\\.5");
    assertThat(s).doesNotContain("flush table").doesNotContain("delete table");
    assertThat(s)
        .as("an ingress-only policy has no egress chain")
        .contains("add chain inet netctl " + fromYChain() + "\n")
        .doesNotContain(
            Names.policyChain(
                new PolicyId("KubernetesNetworkPolicy", "x", "from-y"), Direction.EGRESS));
  }

  /** The resync's verify: a table gone from the kernel makes the next apply write all of it. */
  @Test
  void aTableGoneFromTheKernelIsWrittenWholeByTheApplyAfterVerify() {
    assertThat(m.verify()).as("nothing written yet: the first apply relearns anyway").isTrue();
    apply(fromY(80));
    String full = nft.last();
    nft.table = null; // nft delete table inet netctl
    assertThat(m.verify()).isFalse();
    assertThat(m.apply().strip().split("\n"))
        .as("the same commands as the first write (chains in any order)")
        .containsExactlyInAnyOrder(full.strip().split("\n"));
    assertThat(m.apply()).as("then nothing more").isEmpty();
  }

  /** {@code n} policies for x/a, each allowing one port from pods b. */
  private void many(int n) {
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < n; i++) {
      yaml.append(
          knp(
              "x",
              "p" + i,
              "podSelector: {matchLabels: {pod: a}}\ningress:\n- from:\n"
                  + "  - podSelector: {matchLabels: {pod: b}}\n  ports:\n  - port: "
                  + (1000 + i)));
    }
    for (Resource r : Fixture.CODEC.read(yaml.toString())) m.onUpdate(r);
  }

  private static String chainOf(int i) {
    return Names.policyChain(
        new PolicyId("KubernetesNetworkPolicy", "x", "p" + i), Direction.INGRESS);
  }

  @Test
  void manyPoliciesIntoNoTableAreOneTransactionWithEveryChainOnce() {
    many(80);
    String returned = m.apply();
    assertThat(nft.scripts).singleElement().isEqualTo(returned);
    assertThat(returned).contains("type filter hook forward").contains("goto ei-");
    for (int i = 0; i < 80; i++) {
      String add = "add chain inet netctl " + chainOf(i) + "\n";
      assertThat(returned.indexOf(add))
          .as(chainOf(i))
          .isEqualTo(returned.lastIndexOf(add))
          .isNotNegative();
    }
    assertThat(returned).doesNotContain("flush chain inet netctl p-");
    // and afterwards, as always, nothing changed is nothing sent
    assertThat(m.apply()).isEmpty();
    assertThat(nft.scripts).hasSize(1);
  }

  @Test
  void manyPoliciesIntoAnExistingTableAreOneTransaction() {
    nft.table =
        """
        {"nftables": [{"metainfo": {}}, {"table": {"family": "inet", "name": "netctl"}},
         {"chain": {"family": "inet", "table": "netctl", "name": "forward"}}]}
        """;
    many(80);
    m.apply();
    assertThat(nft.scripts).singleElement().asString().contains("type filter hook forward");
  }

  @Test
  void aRefusedFirstPartLeavesItAllToOneTransaction() {
    many(80);
    nft.refuse = "add table inet netctl\nadd set"; // only the first part starts so
    m.apply();
    String s = nft.last();
    assertThat(nft.scripts).hasSize(1);
    assertThat(s).startsWith("add table inet netctl\nadd chain inet netctl forward");
    for (int i = 0; i < 80; i++)
      assertThat(s).contains("add chain inet netctl " + chainOf(i) + "\n");
    assertThat(m.failures()).isEmpty();
  }

  @Test
  void nothingChangedMeansNoTransaction() {
    apply(fromY(80));
    int n = nft.scripts.size();
    assertThat(m.apply()).isEmpty();
    assertThat(nft.scripts).hasSize(n);
  }

  @Test
  void aChangedRuleRewritesOnlyThatPolicysChain() {
    apply(fromY(80));
    apply(fromY(81));
    String s = nft.last();
    String chain =
        Names.policyChain(
            new PolicyId("KubernetesNetworkPolicy", "x", "from-y"), Direction.INGRESS);
    assertThat(s.lines().toList())
        .as("one flush and the policy's rule, nothing else")
        .containsExactly("flush chain inet netctl " + chain, s.lines().toList().get(1));
    assertThat(s.lines().toList().get(1))
        .startsWith("add rule inet netctl " + chain + " meta l4proto 6 ip saddr @s-")
        .contains("th dport 81 ");
  }

  @Test
  void theEvaluatorSeesARuleOnlyChangeAsTheDataplaneDoes() {
    apply(fromY(80));
    assertThat(m.evaluator().evaluate(f.ipOf("y/a"), f.ipOf("x/a"), Protocols.TCP, 80).allowed())
        .isTrue();
    apply(fromY(81));
    assertThat(m.evaluator().evaluate(f.ipOf("y/a"), f.ipOf("x/a"), Protocols.TCP, 80).allowed())
        .isFalse();
    assertThat(m.evaluator().evaluate(f.ipOf("y/a"), f.ipOf("x/a"), Protocols.TCP, 81).allowed())
        .isTrue();
  }

  @Test
  void podChurnChangesSetElementsOnly() {
    apply(fromY(80));
    Endpoint newcomer =
        new Endpoint(
            "y",
            "d",
            Map.of("pod", "d"),
            List.of(Fixture.ip("10.0.1.1")),
            "caliyd",
            "other",
            List.of());
    m.onEndpointUpdate("y/d", newcomer);
    String s = m.apply();
    assertThat(s.lines().toList())
        .singleElement()
        .asString()
        .matches("add element inet netctl s-[0-9a-f]+ \\{ 10\\.0\\.1\\.1 \\}");
    m.onEndpointRemove("y/d");
    assertThat(m.apply().lines().toList())
        .singleElement()
        .asString()
        .startsWith("delete element inet netctl s-");
  }

  @Test
  void remotePodChurnGoesThroughTheElementPathAndARefusedOneRewritesTheTable() {
    apply(fromY(80));
    m.onEndpointUpdate("y/d", remote("y", "d", "10.0.1.1"));
    m.apply();
    assertThat(nft.elementUpdates)
        .singleElement()
        .satisfies(
            d ->
                assertThat(d)
                    .singleElement()
                    .satisfies(
                        e -> {
                          assertThat(e.type()).isEqualTo("ipv4_addr");
                          assertThat(e.add()).containsExactly("10.0.1.1");
                          assertThat(e.delete()).isEmpty();
                        }));
    nft.refuseElements = true;
    // what a fresh listing of the table shows: the resync reads it again
    nft.table =
        """
        {"nftables": [{"table": {"family": "inet", "name": "netctl"}},
         {"chain": {"family": "inet", "table": "netctl", "name": "%s"}}]}
        """
            .formatted(fromYChain());
    m.onEndpointUpdate("y/e", remote("y", "e", "10.0.1.4"));
    String s = m.apply();
    assertThat(s)
        .as("after a refused element update the whole table is rewritten")
        .startsWith("add table inet netctl\n")
        .contains("flush chain inet netctl " + fromYChain() + "\n", "add set inet netctl s-")
        .contains("10.0.1.1", "10.0.1.4");
    assertThat(nft.last()).isEqualTo(s);
  }

  private static String fromYChain() {
    return Names.policyChain(
        new PolicyId("KubernetesNetworkPolicy", "x", "from-y"), Direction.INGRESS);
  }

  private static Endpoint remote(String ns, String name, String ip) {
    return new Endpoint(
        ns,
        name,
        Map.of("pod", name),
        List.of(Fixture.ip(ip)),
        "cali" + ns + name,
        "other",
        List.of());
  }

  @Test
  void aLocalPodWithAnotherPodsPoliciesSharesItsChainsAndGetsDispatchEntriesOnly() {
    apply(fromY(80));
    m.onEndpointUpdate(
        "x/d",
        new Endpoint(
            "x",
            "d",
            Map.of("pod", "a"),
            List.of(Fixture.ip("10.0.1.2")),
            "calixd",
            "node",
            List.of()));
    String s = m.apply();
    String chain = m.endpointChain("calixd", Direction.INGRESS);
    assertThat(chain)
        .as("same policies as x/a: the same chain")
        .isEqualTo(m.endpointChain("calixa", Direction.INGRESS));
    assertThat(s)
        .contains("add element inet netctl wl-ingress { \"calixd\" : goto " + chain + " }")
        .doesNotContain("add chain")
        .doesNotContain("flush chain");
    assertThat(nft.elementUpdates.getLast())
        .as("set elements and dispatch entries only: the element path")
        .anySatisfy(d -> assertThat(d.set()).isEqualTo("wl-ingress"))
        .anySatisfy(d -> assertThat(d.set()).isEqualTo("wl-egress"));
  }

  @Test
  void aDeletedPolicyLeavesNoChainOrSetBehind() {
    apply(fromY(80));
    String before = m.endpointChain("calixa", Direction.INGRESS);
    for (Resource r : Fixture.CODEC.read(fromY(80))) m.onDelete(r);
    String s = m.apply();
    String chain =
        Names.policyChain(
            new PolicyId("KubernetesNetworkPolicy", "x", "from-y"), Direction.INGRESS);
    String after = m.endpointChain("calixa", Direction.INGRESS);
    assertThat(after)
        .as("x/a is not isolated any more, like x/b")
        .isEqualTo(m.endpointChain("calixb", Direction.INGRESS))
        .isNotEqualTo(before);
    assertThat(s)
        .contains(
            "delete chain inet netctl " + chain + "\n",
            "delete chain inet netctl " + before + "\n");
    assertThat(s).containsPattern("delete set inet netctl s-[0-9a-f]+\n");
    assertThat(s.indexOf("\"calixa\" : goto " + after))
        .as("dispatch moves before the chain it pointed to goes")
        .isLessThan(s.indexOf("delete chain inet netctl " + before));
  }

  @Test
  void theFirstApplySweepsWhatAnEarlierRunLeft() {
    nft.table =
        """
        {"nftables": [{"metainfo": {}}, {"table": {"family": "inet", "name": "netctl"}},
         {"chain": {"family": "inet", "table": "netctl", "name": "forward"}},
         {"chain": {"family": "inet", "table": "netctl", "name": "p-stale-i"}},
         {"chain": {"family": "inet", "table": "netctl", "name": "%s"}},
         {"chain": {"family": "inet", "table": "netctl", "name": "ei-calixa"}},
         {"set": {"family": "inet", "table": "netctl", "name": "s-stale"}},
         {"map": {"family": "inet", "table": "netctl", "name": "wl-ingress"}}]}
        """
            .formatted(fromYChain());
    apply(fromY(80));
    String s = nft.last();
    assertThat(s)
        .contains(
            "flush chain inet netctl " + fromYChain() + "\n",
            "delete chain inet netctl p-stale-i\n",
            "delete chain inet netctl ei-calixa\n",
            "delete set inet netctl s-stale\n");
    assertThat(s).doesNotContain("add chain inet netctl " + fromYChain() + "\n");
  }

  @Test
  void aPolicyNftRefusesFailsClosedAndIsReported() {
    apply(fromY(80));
    nft.refuse = "th dport 99 ";
    apply(
        fromY(99)
            + calico("NetworkPolicy", "x", "fine", "ingress:\n- action: Allow\n  protocol: UDP"));
    assertThat(m.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.policy().name()).isEqualTo("from-y");
              assertThat(f.reason()).startsWith("nft: Error: Could not process rule");
            });
    String chain =
        Names.policyChain(
            new PolicyId("KubernetesNetworkPolicy", "x", "from-y"), Direction.INGRESS);
    assertThat(nft.last())
        .contains("add rule inet netctl " + chain + " drop comment \"fail closed: nft:");
    assertThat(
            m.evaluator()
                .evaluate(f.ipOf("y/a"), f.ipOf("x/a"), Protocols.TCP, 99)
                .ingress()
                .outcome())
        .isEqualTo(Verdict.Outcome.FAILED_CLOSED);
  }

  @Test
  void aTransactionNftRefusesForNoPolicyReasonIsRetriedNextTime() {
    apply(fromY(80));
    nft.refuse = "10.0.1.3";
    m.onEndpointUpdate(
        "y/d",
        new Endpoint(
            "y", "d", Map.of(), List.of(Fixture.ip("10.0.1.3")), null, "other", List.of()));
    assertThatThrownBy(m::apply).isInstanceOf(NftCommand.NftException.class);
    nft.refuse = null;
    assertThat(m.apply()).contains("10.0.1.3");
  }

  @Test
  void aTransactionWhoseOutcomeIsUnknownIsNotRetriedAsItIsButRewrittenFromTheKernelsTable() {
    apply(fromY(80));
    String chain =
        Names.policyChain(new PolicyId("KubernetesNetworkPolicy", "x", "to-b"), Direction.INGRESS);
    nft.unknown = "add chain inet netctl " + chain + "\n";
    for (Resource r :
        Fixture.CODEC.read(
            knp(
                "x",
                "to-b",
                "podSelector: {matchLabels: {pod: b}}\ningress:\n- ports:\n  - port: 443"))) {
      m.onUpdate(r);
    }
    int checks = nft.checks;
    assertThatThrownBy(m::apply).isInstanceOf(NftCommand.OutcomeUnknownException.class);
    assertThat(nft.checks).as("not taken for an unrenderable policy").isEqualTo(checks);
    // the batch did apply: the kernel's table has the new chain (with its rules)
    nft.unknown = null;
    nft.table = "{\"nftables\": [{\"chain\": {\"name\": \"" + chain + "\"}}]}";
    String s = m.apply();
    assertThat(s)
        .as("rewritten from what the kernel holds: the chain is emptied before its rules are added")
        .startsWith("add table inet netctl\n")
        .contains("flush chain inet netctl " + chain + "\n")
        .doesNotContain("add chain inet netctl " + chain + "\n");
    assertThat(s.indexOf("flush chain inet netctl " + chain + "\n"))
        .isLessThan(s.indexOf("add rule inet netctl " + chain + " "));
  }

  @Test
  void anUnrenderablePolicyFailsClosedWithoutNft() {
    apply(
        calico(
            "NetworkPolicy",
            "x",
            "no-protocol",
            "ingress:\n- action: Allow\n  destination: {ports: [http]}"));
    assertThat(m.failures())
        .singleElement()
        .extracting(PolicyStatus::reason)
        .asString()
        .contains("named port http needs a protocol");
  }

  @Test
  void theFirstIpv6EndpointGivesSelectorRulesTheirIpv6Variant() {
    apply(fromY(80));
    assertThat(nft.last()).doesNotContain("ip6 ").doesNotContain("s6-");
    m.onEndpointUpdate(
        "y/d",
        new Endpoint(
            "y",
            "d",
            Map.of("pod", "d"),
            List.of(Fixture.ip("10.0.1.1"), Fixture.ip("fd00::1:1")),
            null,
            "other",
            List.of()));
    String s = m.apply();
    String chain =
        Names.policyChain(
            new PolicyId("KubernetesNetworkPolicy", "x", "from-y"), Direction.INGRESS);
    assertThat(s)
        .contains("add set inet netctl s6-")
        .containsPattern("add element inet netctl s6-[0-9a-f]+ \\{ fd00::1:1 \\}")
        .containsPattern("add element inet netctl s-[0-9a-f]+ \\{ 10\\.0\\.1\\.1 \\}")
        .contains("flush chain inet netctl " + chain + "\n")
        .containsPattern("add rule inet netctl " + chain + " meta l4proto 6 ip6 saddr @s6-");
  }
}
