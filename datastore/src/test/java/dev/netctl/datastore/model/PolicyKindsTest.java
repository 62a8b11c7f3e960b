package dev.netctl.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.memory.MemoryDatastore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyKindsTest {

  private final ResourceCodec codec = new ResourceCodec();

  private static final String K8S =
      """
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: allow-web, namespace: shop}
      spec:
        podSelector:
          matchLabels: {app: web}
          matchExpressions:
          - {key: tier, operator: In, values: [front]}
        policyTypes: [Ingress]
        ingress:
        - from:
          - namespaceSelector: {matchLabels: {team: a}}
            podSelector: {}
          - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
          ports:
          - {protocol: TCP, port: 8000, endPort: 8080}
          - {port: http}
      """;

  private static final String CALICO =
      """
      apiVersion: projectcalico.org/v3
      kind: NetworkPolicy
      metadata: {name: ordered, namespace: shop}
      spec:
        order: 10
        selector: app == 'web'
        types: [Ingress, Egress]
        ingress:
        - action: Allow
          protocol: TCP
          source: {selector: role == 'lb', namespaceSelector: all(), notNets: [10.9.0.0/16]}
          destination: {ports: [80, '1000:2000', http], notPorts: [1500]}
        - action: Deny
          protocol: ICMP
          icmp: {type: 8, code: 0}
        egress:
        - action: Pass
          notProtocol: UDP
      ---
      apiVersion: projectcalico.org/v3
      kind: GlobalNetworkPolicy
      metadata: {name: security.deny-z}
      spec:
        tier: security
        namespaceSelector: ns == 'x'
        ingress:
        - action: Log
      ---
      apiVersion: projectcalico.org/v3
      kind: Profile
      metadata: {name: kns.shop}
      spec:
        labelsToApply: {team: a}
      ---
      apiVersion: projectcalico.org/v3
      kind: Tier
      metadata: {name: security}
      spec: {order: 100}
      """;

  @Test
  void kubernetesAndCalicoNetworkPolicyAreToldApartByApiVersion() {
    Resource k = codec.readOne(K8S);
    assertThat(k).isInstanceOf(KubernetesNetworkPolicy.class);
    assertThat(k.storageName()).isEqualTo("shop/allow-web");
    List<Resource> c = codec.read(CALICO);
    assertThat(c)
        .extracting(r -> r.kind().name())
        .containsExactly("NetworkPolicy", "GlobalNetworkPolicy", "Profile", "Tier");
    for (Resource r : List.of(k, c.get(0), c.get(1), c.get(2), c.get(3))) {
      assertThat(Validator.validate(r)).as(r.name()).isEmpty();
    }
    NetworkPolicy np = (NetworkPolicy) c.getFirst();
    assertThat(np.spec().ingress().getFirst().destination().ports())
        .extracting(PortSpec::text)
        .containsExactly("80", "1000:2000", "http");
  }

  @Test
  void kubernetesPolicyIsWrittenBackAsNetworkingV1AndRoundTrips() {
    Resource k = codec.readOne(K8S);
    String yaml = codec.toYaml(k);
    assertThat(yaml).startsWith("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n");
    assertThat(codec.readOne(yaml)).isEqualTo(k);
    for (Resource r : codec.read(CALICO)) assertThat(codec.readOne(codec.toYaml(r))).isEqualTo(r);
  }

  @Test
  void bothPolicyKindsAreStoredSideBySideUnderTheirOwnKinds() {
    try (MemoryDatastore store = new MemoryDatastore()) {
      ResourceClient client =
          new ResourceClient(store, codec, Clock.systemUTC(), Duration.ofSeconds(5));
      client.create(codec.readOne(K8S));
      client.create(codec.read(CALICO).getFirst());
      KubernetesNetworkPolicy back = client.get(Kind.KUBERNETES_NETWORK_POLICY, "shop/allow-web");
      assertThat(back.spec().ingressRules()).hasSize(1);
      assertThat(client.get(Kind.NETWORK_POLICY, "shop/ordered").spec().order()).isEqualTo(10.0);
    }
    assertThat(Kind.lookup("netpol")).contains(Kind.KUBERNETES_NETWORK_POLICY);
    assertThat(Kind.lookup("networkpolicy.networking.k8s.io"))
        .contains(Kind.KUBERNETES_NETWORK_POLICY);
    assertThat(Kind.lookup("networkpolicy")).contains(Kind.NETWORK_POLICY);
    assertThat(Kind.lookup("gnp")).contains(Kind.GLOBAL_NETWORK_POLICY);
  }

  private List<String> violations(String yaml) {
    return Validator.validate(codec.readOne(yaml)).stream()
        .map(v -> v.field() + " " + v.value() + " " + v.rule())
        .toList();
  }

  private static String k8s(String spec) {
    return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n"
        + spec.indent(2);
  }

  private static String calico(String spec) {
    return "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n"
        + spec.indent(2);
  }

  @Test
  void ruleNetsAndIpBlocksAreKeptInRfc5952Form() {
    NetworkPolicy calico =
        (NetworkPolicy)
            codec.readOne(
                """
                apiVersion: projectcalico.org/v3
                kind: NetworkPolicy
                metadata: {name: v6, namespace: shop}
                spec:
                  ingress:
                  - action: Allow
                    source: {nets: ["FD00:0:0:0::/64", 10.1.0.0/16], notNets: ["fd00:0::1"]}
                """);
    PolicyRule.Entity source = calico.spec().ingress().getFirst().source();
    assertThat(source.nets()).containsExactly("fd00::/64", "10.1.0.0/16");
    assertThat(source.notNets()).containsExactly("fd00::1");

    KubernetesNetworkPolicy k8s =
        (KubernetesNetworkPolicy)
            codec.readOne(
                K8S.replace(
                    "{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}",
                    "{cidr: \"2001:DB8:0::/48\", except: [\"2001:db8:0:0:1::/80\"]}"));
    KubernetesNetworkPolicySpec.IpBlock block =
        k8s.spec().ingress().getFirst().from().get(1).ipBlock();
    assertThat(block.cidr()).isEqualTo("2001:db8::/48");
    assertThat(block.except()).containsExactly("2001:db8:0:0:1::/80");
  }

  @Test
  void anEmptyListEntryIsNamedWithItsField() {
    assertThatThrownBy(
            () ->
                codec.readOne(
                    """
                    apiVersion: projectcalico.org/v3
                    kind: GlobalNetworkPolicy
                    metadata: {name: p}
                    spec:
                      ingress:
                      - action: Allow
                        source: {nets: [10.0.0.0/8, ~]}
                    """))
        .hasMessageContaining("spec.ingress[0].source.nets[1] \"<none>\" is an empty list entry");
  }

  @Test
  void endPortNeedsANumericPortAndMayNotBeBelowIt() {
    assertThat(violations(k8s("podSelector: {}\ningress:\n- ports:\n  - {endPort: 90}")))
        .containsExactly(
            "spec.ingress[0].ports[0].endPort 90 needs a numeric port (ranges of named ports do not exist)");
    assertThat(violations(k8s("podSelector: {}\ningress:\n- ports:\n  - {port: 90, endPort: 80}")))
        .containsExactly(
            "spec.ingress[0].ports[0].endPort 80 must be at least port 90 and at most 65535");
  }

  @Test
  void portsOutOfRangeAreNamedByField() {
    assertThat(violations(k8s("podSelector: {}\negress:\n- ports:\n  - {port: 70000}")))
        .containsExactly("spec.egress[0].ports[0].port 70000 must be a port 1-65535");
    assertThat(
            violations(
                calico(
                    "ingress:\n- action: Allow\n  protocol: TCP\n  destination: {ports: ['2000:1000', 0]}")))
        .containsExactly(
            "spec.ingress[0].destination.ports[0] 2000:1000 must be a range first:last with first <= last",
            "spec.ingress[0].destination.ports[1] 0 must be a port 1-65535");
  }

  @Test
  void badSelectorsActionsAndProtocolsAreNamedByField() {
    List<String> v =
        violations(
            calico(
                "selector: app ==\ningress:\n- action: Accept\n  protocol: TCPX\n  source: {namespaceSelector: \"a in {\"}"));
    assertThat(v).hasSize(4);
    assertThat(v.get(0)).startsWith("spec.selector app == must be a valid selector (column");
    assertThat(v.get(1))
        .isEqualTo("spec.ingress[0].action Accept must be Allow, Deny, Pass or Log");
    assertThat(v.get(2))
        .isEqualTo(
            "spec.ingress[0].protocol TCPX must be TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number 1-255");
    assertThat(v.get(3))
        .startsWith("spec.ingress[0].source.namespaceSelector a in { must be a valid selector");
  }

  @Test
  void portsNeedAPortProtocolAndIcmpNeedsIcmp() {
    assertThat(
            violations(
                calico(
                    "ingress:\n- action: Allow\n  destination: {ports: [80]}\n  icmp: {type: 8}")))
        .containsExactly(
            "spec.ingress[0].icmp <none> needs protocol ICMP or ICMPv6",
            "spec.ingress[0].destination.ports <none> need protocol TCP, UDP or SCTP in the rule");
  }

  /**
   * Calico fields netctl does not enforce are refused, never ignored: ignoring http would widen an
   * Allow rule to every request, ignoring doNotTrack or preDNAT would filter at another place than
   * the user asked.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "doNotTrack: true|spec.doNotTrack",
        "preDNAT: true|spec.preDNAT",
        "applyOnForward: true|spec.applyOnForward",
        "ingress:\n- action: Allow\n  http: {methods: [GET]}|spec.ingress[0].http",
      })
  void calicoFieldsNetctlDoesNotEnforceAreRefusedNamingTheField(String specAndField) {
    String[] x = specAndField.split("\\|");
    assertThatThrownBy(() -> codec.readOne(calico(x[0])))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining(x[1])
        .hasMessageContaining("is not a known field");
  }

  @Test
  void passInAKubernetesPolicyIsRefusedNamingTheField() {
    assertThatThrownBy(
            () -> codec.readOne(k8s("podSelector: {}\ningress:\n- action: Pass\n  from: []")))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("spec.ingress[0].action")
        .hasMessageContaining("is not a known field");
  }

  @Test
  void kubernetesSelectorsAndPeersAreChecked() {
    assertThat(
            violations(
                k8s(
                    "podSelector:\n  matchExpressions:\n  - {key: a, operator: Is, values: [b]}\ningress:\n- from:\n  - ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}\n    podSelector: {}\n  - {}")))
        .containsExactly(
            "spec.podSelector.matchExpressions[0].operator Is must be In, NotIn, Exists or DoesNotExist",
            "spec.ingress[0].from[0].ipBlock 10.0.0.0/8 cannot be combined with a selector in one peer",
            "spec.ingress[0].from[0].ipBlock.except[0] 11.0.0.0/16 must lie within ipBlock.cidr 10.0.0.0/8",
            "spec.ingress[0].from[1] {} must set podSelector, namespaceSelector or ipBlock");
  }

  @Test
  void ipVersionIsFourOrSixAndNoNetOrIcmpOfTheOtherFamily() {
    assertThat(violations(calico("ingress:\n- action: Allow\n  ipVersion: 5")))
        .containsExactly("spec.ingress[0].ipVersion 5 must be 4 or 6");
    assertThat(
            violations(
                calico(
                    "egress:\n- action: Allow\n  ipVersion: 6\n  protocol: ICMP\n  source: {nets: [\"fd00::/64\", 10.0.0.0/8]}\n  destination: {notNets: [192.168.0.1]}")))
        .containsExactly(
            "spec.egress[0].source.nets[1] 10.0.0.0/8 is an IPv4 net but the rule has ipVersion 6",
            "spec.egress[0].destination.notNets[0] 192.168.0.1 is an IPv4 net but the rule has ipVersion 6",
            "spec.egress[0].protocol ICMP ICMP needs ipVersion 4 (the rule has ipVersion 6)");
    assertThat(
            violations(
                calico(
                    "ingress:\n- action: Deny\n  ipVersion: 4\n  notProtocol: ICMPv6\n  source: {nets: [10.0.0.0/8]}")))
        .containsExactly(
            "spec.ingress[0].notProtocol ICMPv6 ICMPv6 needs ipVersion 6 (the rule has ipVersion 4)");
    NetworkPolicy ok =
        (NetworkPolicy)
            codec.readOne(
                calico(
                    "ingress:\n- action: Allow\n  ipVersion: 6\n  protocol: ICMPv6\n  source: {nets: [\"fd00::/64\"]}"));
    assertThat(Validator.validate(ok)).isEmpty();
    assertThat(ok.spec().ingress().getFirst().ipVersion()).isEqualTo(6);
    assertThat(codec.toYaml(ok))
        .contains("- action: Allow\n    ipVersion: 6\n    protocol: ICMPv6");
  }

  /** The violations of a write of {@code yaml}: its own rules and those of writes only. */
  private List<String> writeViolations(String yaml) {
    return Validator.validate(codec.readOne(yaml), null, List.of()).stream()
        .map(v -> v.field() + " " + v.value() + " " + v.rule())
        .toList();
  }

  @Test
  void aRuleWithoutIpVersionHoldsNetsOfOneFamilyAsCalicoRequires() {
    String mixed =
        calico("ingress:\n- action: Allow\n  source: {nets: [10.0.0.0/8, \"fd00::/64\"]}");
    assertThat(violations(mixed))
        .as("a stored one, written by an earlier version, is still read (and rendered per family)")
        .isEmpty();
    assertThat(
            writeViolations(
                calico("ingress:\n- action: Allow\n  source: {nets: [10.0.0.0/8, \"fd00::/64\"]}")))
        .containsExactly(
            "spec.ingress[0].source.nets[1] fd00::/64 is an IPv6 net but source.nets[0]"
                + " \"10.0.0.0/8\" is IPv4: a rule's nets must be of one IP family (as Calico"
                + " requires); split it into one rule per family");
    // across source and destination, nets and notNets: one violation per rule, at the first net
    // of the second family
    assertThat(
            writeViolations(
                calico(
                    "egress:\n- action: Deny\n  source: {notNets: [\"fd00::1\"]}\n  destination: {nets: [10.0.0.0/8, 192.168.0.0/16], notNets: [\"fd00::/8\"]}")))
        .containsExactly(
            "spec.egress[0].destination.nets[0] 10.0.0.0/8 is an IPv4 net but source.notNets[0]"
                + " \"fd00::1\" is IPv6: a rule's nets must be of one IP family (as Calico"
                + " requires); split it into one rule per family");
    for (String ok :
        List.of(
            "ingress:\n- action: Allow\n  source: {nets: [10.0.0.0/8]}\n  destination: {notNets: [10.1.0.0/16]}",
            "ingress:\n- action: Allow\n  source: {nets: [\"fd00::/64\"]}\n  destination: {nets: [\"fd01::1\"]}",
            "ingress:\n- action: Allow\n  protocol: TCP\n  destination: {ports: [80]}")) {
      assertThat(writeViolations(calico(ok))).as(ok).isEmpty();
    }
    assertThat(
            writeViolations(
                calico(
                    "ingress:\n- action: Allow\n  ipVersion: 4\n  source: {nets: [10.0.0.0/8, \"fd00::/64\"]}")))
        .as("with ipVersion, the net of the other family is named against it, once")
        .containsExactly(
            "spec.ingress[0].source.nets[1] fd00::/64 is an IPv6 net but the rule has ipVersion 4");
  }

  @Test
  void aViolationNamesThePolicyTheRuleTheFieldAndTheValue() {
    Resource p =
        codec.readOne(
            calico("ingress:\n- action: Allow\n  ipVersion: 4\n  source: {nets: [\"fd00::/64\"]}"));
    assertThatThrownBy(() -> Validator.check(p))
        .as("a namespaced policy is named NAMESPACE/NAME: p in x is not p in default")
        .hasMessageContaining("NetworkPolicy \"x/p\"")
        .hasMessageContaining("spec.ingress[0].source.nets[0]")
        .hasMessageContaining("fd00::/64")
        .hasMessageContaining("is an IPv6 net but the rule has ipVersion 4");
  }

  @Test
  void globalIsAllowedOnlyAloneInARuleNamespaceSelector() {
    assertThat(
            violations(
                calico(
                    "ingress:\n- action: Allow\n  source: {namespaceSelector: global(), selector: role == 'a'}")))
        .isEmpty();
    assertThat(
            violations(
                calico(
                    "selector: global()\ningress:\n- action: Allow\n  source: {namespaceSelector: global() || has(a), notSelector: \"!global()\"}")))
        .containsExactly(
            "spec.selector global() may not use global(): it is for a rule's namespaceSelector only",
            "spec.ingress[0].source.notSelector !global() may not use global(): it is for a rule's namespaceSelector only",
            "spec.ingress[0].source.namespaceSelector global() || has(a) may use global() only alone, as the whole namespaceSelector");
    assertThat(
            Validator.validate(
                codec.readOne(
                    "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\nspec:\n  namespaceSelector: global()\n")))
        .extracting(Violation::field)
        .containsExactly("spec.namespaceSelector");
  }

  @Test
  void aTierDefaultActionIsDenyOrPassAndTheDefaultTierDenies() {
    Resource pass = codec.readOne(tier("security", "Pass"));
    assertThat(Validator.validate(pass)).isEmpty();
    assertThat(((Tier) pass).spec().passesAtEnd()).isTrue();
    assertThat(codec.readOne(codec.toYaml(pass))).isEqualTo(pass);
    assertThat(((Tier) codec.readOne(tier("security", null))).spec().passesAtEnd()).isFalse();
    assertThat(Validator.validate(codec.readOne(tier("default", "Deny")))).isEmpty();
    assertThat(violations(tier("security", "Allow")))
        .containsExactly("spec.defaultAction Allow must be Deny or Pass");
    assertThat(violations(tier("default", "Pass")))
        .containsExactly("spec.defaultAction Pass must be Deny for the tier default");
  }

  private static String tier(String name, String defaultAction) {
    return "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: "
        + name
        + "}\nspec: {order: 100"
        + (defaultAction == null ? "" : ", defaultAction: " + defaultAction)
        + "}\n";
  }

  @Test
  void serviceAccountSelectorsParseAndNamesAreNames() {
    NetworkPolicy ok =
        (NetworkPolicy)
            codec.readOne(
                calico(
                    "serviceAccountSelector: team == 'a'\ningress:\n- action: Allow\n  source: {serviceAccounts: {names: [web, api], selector: role == 'x'}}"));
    assertThat(Validator.validate(ok)).isEmpty();
    assertThat(ok.spec().serviceAccountSelector()).isEqualTo("team == 'a'");
    assertThat(ok.spec().ingress().getFirst().source().serviceAccounts())
        .isEqualTo(new PolicyRule.ServiceAccountMatch(List.of("web", "api"), "role == 'x'"));
    assertThat(codec.readOne(codec.toYaml(ok))).isEqualTo(ok);
    assertThat(
            violations(
                calico(
                    "serviceAccountSelector: team ==\negress:\n- action: Allow\n  destination: {serviceAccounts: {names: [Web_1], selector: global()}}")))
        .containsExactly(
            "spec.serviceAccountSelector team == must be a valid selector (column 8: expected a quoted value)",
            "spec.egress[0].destination.serviceAccounts.names[0] Web_1 must be a service account name",
            "spec.egress[0].destination.serviceAccounts.selector global() may not use global(): it is for a rule's namespaceSelector only");
  }
}
