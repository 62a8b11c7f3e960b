package dev.netctl.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourceCodecTest {

  private final ResourceCodec codec = new ResourceCodec();

  /** One resource of every kind with every field set, including awkward strings. */
  static List<Resource> everyKindFullyPopulated() {
    ObjectMeta meta =
        new ObjectMeta(
            "full",
            Map.of("app", "x", "example.com/role", "123", "flag", "true", "ver", "1.10"),
            Map.of("note", "a: b", "empty", "", "tilde", "~", "hash", "#c", "yes", "yes"),
            "42",
            "0b5e9d36-4a43-4c55-9d07-9f0a7e1f7d11",
            "2026-01-02T03:04:05Z");
    return List.of(
        new IPPool(
            meta,
            new IPPoolSpec(
                "10.244.0.0/16",
                24,
                EncapsulationMode.CROSS_SUBNET,
                EncapsulationMode.NEVER,
                true,
                true,
                true,
                "rack in {'a', \"b\"}",
                List.of(AllowedUse.TUNNEL),
                AssignmentMode.MANUAL)),
        new BGPPeer(
            meta,
            new BGPPeerSpec(
                "node-1",
                null,
                "[fd00::1]:1790",
                4_200_000_000L,
                null,
                new BGPPassword(new SecretKeySelector("bgp-secrets", "peer-a")),
                true,
                null,
                "120s",
                SourceAddress.NONE,
                2,
                List.of("f1", "f2"))),
        new BGPConfiguration(
            meta,
            new BGPConfigurationSpec(
                "Warning",
                false,
                65000L,
                1790,
                List.of(new ServiceIPBlock("10.96.0.0/12")),
                List.of(new ServiceIPBlock("192.0.2.0/24")),
                List.of(new ServiceIPBlock("198.51.100.0/24")),
                List.of(new Community("gold", "65000:100")),
                List.of(new PrefixAdvertisement("10.96.0.0/12", List.of("gold", "65000:7"))))),
        new Node(
            meta,
            new NodeSpec(
                new NodeBGPSpec("10.0.0.5/24", "fd00::5/64", 65010L, "224.0.0.1"),
                "10.244.3.0",
                "66:0f:9a:00:11:22",
                "fd00:10:244::1",
                "66:0f:9a:00:11:23")),
        new IPAMConfig(meta.withLabels(Map.of()), new IPAMConfigSpec(true, false, 7)));
  }

  @Test
  void calicoManifestAppliesUnchangedAndBecomesNetctlResource() {
    List<Resource> rs =
        codec.read(
            """
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: default-ipv4-ippool
            spec:
              cidr: 192.168.0.0/16
              ipipMode: Always
              natOutgoing: true
            ---
            apiVersion: projectcalico.org/v3
            kind: IPAMConfiguration
            metadata:
              name: default
            spec:
              strictAffinity: true
            """);

    assertThat(rs).hasSize(2);
    IPPool pool = (IPPool) rs.get(0);
    assertThat(pool.apiVersion()).isEqualTo("netctl.dev/v1");
    assertThat(pool.spec().ipipMode()).isEqualTo(EncapsulationMode.ALWAYS);
    assertThat(pool.spec().natOutgoing()).isTrue();
    // Calico's defaults are filled in
    assertThat(pool.spec().blockSize()).isEqualTo(26);
    assertThat(pool.spec().vxlanMode()).isEqualTo(EncapsulationMode.NEVER);
    assertThat(pool.spec().nodeSelector()).isEqualTo("all()");
    assertThat(pool.spec().allowedUses()).containsExactly(AllowedUse.WORKLOAD, AllowedUse.TUNNEL);
    assertThat(pool.spec().assignmentMode()).isEqualTo(AssignmentMode.AUTOMATIC);
    IPAMConfig ipam = (IPAMConfig) rs.get(1);
    assertThat(ipam.kind()).isSameAs(Kind.IPAM_CONFIG);
    assertThat(ipam.spec()).isEqualTo(new IPAMConfigSpec(true, true, 0));
    assertThat(codec.toYaml(ipam)).contains("kind: IPAMConfig\n").doesNotContain("projectcalico");
  }

  @Test
  void aCodecPreparedForAKindReadsStoredValuesAsAnUnpreparedOneDoes() {
    for (Resource r : everyKindFullyPopulated()) {
      ResourceCodec prepared = new ResourceCodec();
      prepared.prepare(r.kind());
      byte[] stored = codec.toStorage(r);
      assertThat(prepared.fromStorage(r.kind(), stored, 42))
          .isEqualTo(codec.fromStorage(r.kind(), stored, 42));
    }
  }

  @Test
  void ipv6PoolDefaultsToBlockSize122() {
    IPPool p =
        (IPPool)
            codec.readOne(
                "{\"apiVersion\":\"netctl.dev/v1\",\"kind\":\"IPPool\","
                    + "\"metadata\":{\"name\":\"v6\"},\"spec\":{\"cidr\":\"fd00::/48\"}}");
    assertThat(p.spec().blockSize()).isEqualTo(122);
  }

  @Test
  void yamlOutputKeepsFieldOrderOmitsDefaultsCalicoOmitsAndHasNoDocumentMarker() {
    IPPool p = IPPool.of("pool-a", IPPoolSpec.of("10.244.0.0/16").withNatOutgoing(true));

    assertThat(codec.toYaml(p))
        .isEqualTo(
            """
            apiVersion: netctl.dev/v1
            kind: IPPool
            metadata:
              name: pool-a
            spec:
              cidr: 10.244.0.0/16
              blockSize: 26
              ipipMode: Never
              vxlanMode: Never
              natOutgoing: true
              nodeSelector: all()
              allowedUses:
              - Workload
              - Tunnel
              assignmentMode: Automatic
            """);
  }

  @Test
  void severalDocumentsAreSeparatedByMarkersOnlyBetweenThem() {
    String yaml =
        codec.toYaml(
            List.of(
                IPPool.of("a", IPPoolSpec.of("10.1.0.0/16")),
                IPPool.of("b", IPPoolSpec.of("10.2.0.0/16"))));
    assertThat(yaml).startsWith("apiVersion:").containsOnlyOnce("---\n");
    assertThat(codec.read(yaml)).extracting(Resource::name).containsExactly("a", "b");
  }

  @Test
  void everyKindRoundTripsThroughYamlAndJson() {
    for (Resource r : everyKindFullyPopulated()) {
      assertThat(codec.readOne(codec.toYaml(r))).as("YAML round trip of %s", r.kind()).isEqualTo(r);
      assertThat(codec.readOne(codec.toJson(r))).as("JSON round trip of %s", r.kind()).isEqualTo(r);
    }
    List<Resource> all = everyKindFullyPopulated();
    assertThat(codec.read(codec.toYaml(all))).isEqualTo(all);
    assertThat(codec.read(codec.toJson(all))).isEqualTo(all);
  }

  @Test
  void stringsThatLookLikeOtherYamlTypesStayQuoted() {
    String yaml = codec.toYaml(everyKindFullyPopulated().getFirst());
    assertThat(yaml)
        .contains("flag: \"true\"", "example.com/role: \"123\"", "ver: \"1.10\"", "tilde: \"~\"");
    assertThat(yaml).contains("name: full\n", "cidr: 10.244.0.0/16\n");
  }

  @Test
  void valuesAYaml11ReaderWouldTakeForBase60NumbersAreQuoted() {
    BGPConfiguration c =
        BGPConfiguration.of(
            "default",
            new BGPConfigurationSpec(
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                List.of(new Community("gold", "65000:59"), new Community("big", "65000:100")),
                List.of(new PrefixAdvertisement("10.0.0.0/8", List.of("65000:7")))));
    Node n = Node.of("n", new NodeSpec(null, null, "10:20:30:40:50:06", null, "66:0f:9a:00:11:23"));
    String yaml = codec.toYaml(List.of(c, n));
    assertThat(yaml)
        .contains(
            "value: \"65000:59\"",
            "value: 65000:100", // 100 is no base-60 digit
            "- \"65000:7\"",
            "vxlanTunnelMACAddr: \"10:20:30:40:50:06\"",
            "vxlanTunnelMACAddrV6: 66:0f:9a:00:11:23");
    assertThat(codec.read(yaml)).containsExactly(c, n);
  }

  @Test
  void readsJsonArraysListsAndCalicoTypedLists() {
    String array =
        "[{\"apiVersion\":\"netctl.dev/v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\"}},"
            + "{\"apiVersion\":\"netctl.dev/v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n2\"}}]";
    String calicoList =
        """
        apiVersion: projectcalico.org/v3
        kind: IPPoolList
        items:
        - apiVersion: projectcalico.org/v3
          kind: IPPool
          metadata: {name: p1}
          spec: {cidr: 10.0.0.0/16}
        - apiVersion: projectcalico.org/v3
          kind: IPPool
          metadata: {name: p2}
          spec: {cidr: 10.1.0.0/16}
        """;
    String concatenated =
        "{\"apiVersion\":\"netctl.dev/v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"a\"}}\n"
            + "{\"apiVersion\":\"netctl.dev/v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"b\"}}";

    assertThat(codec.read(array)).extracting(Resource::name).containsExactly("n1", "n2");
    assertThat(codec.read(calicoList)).extracting(Resource::name).containsExactly("p1", "p2");
    assertThat(codec.read(concatenated)).extracting(Resource::name).containsExactly("a", "b");
    assertThat(codec.read("---\n---\n")).isEmpty();
  }

  @Test
  void asNumbersAcceptPlainQuotedAndAsdotForms() {
    String yaml =
        """
        apiVersion: netctl.dev/v1
        kind: BGPPeer
        metadata: {name: a}
        spec: {peerIP: 10.0.0.1, asNumber: 1.10}
        ---
        apiVersion: netctl.dev/v1
        kind: BGPPeer
        metadata: {name: b}
        spec: {peerIP: 10.0.0.1, asNumber: "64512"}
        ---
        apiVersion: netctl.dev/v1
        kind: BGPPeer
        metadata: {name: c}
        spec: {peerIP: 10.0.0.1, asNumber: "65535.65535"}
        """;
    assertThat(codec.read(yaml))
        .map(r -> ((BGPPeer) r).spec().asNumber())
        .containsExactly(65546L, 64512L, 4_294_967_295L);
  }

  @Test
  void unknownFieldNamesDocumentResourceAndField() {
    String yaml =
        """
        apiVersion: netctl.dev/v1
        kind: IPPool
        metadata: {name: good}
        spec: {cidr: 10.0.0.0/16}
        ---
        apiVersion: netctl.dev/v1
        kind: IPPool
        metadata: {name: typo}
        spec: {cidr: 10.1.0.0/16, natOutgoin: true}
        """;
    assertThatThrownBy(() -> codec.read(yaml, "pools.yaml"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("pools.yaml: document 2 (IPPool \"typo\")")
        .hasMessageContaining("field spec.natOutgoin is not a known field")
        .hasMessageContaining("natOutgoing");
  }

  @Test
  void aValueOfTheWrongShapeNamesTheFieldAndTheShapeNotJavaTypes() {
    assertThatThrownBy(
            () ->
                codec.read(
                    "apiVersion: projectcalico.org/v3\nkind: IPReservation\nmetadata: {name: r}\nspec: {reservedCIDRs: 10.0.0.0/24}",
                    "r.yaml"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("IPReservation \"r\"")
        .hasMessageContaining(
            "field spec.reservedCIDRs \"10.0.0.0/24\" must be a list, not a single value")
        .hasMessageNotContaining("java.util");
    assertThatThrownBy(
            () ->
                codec.read(
                    "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\nspec: {types: Ingress}",
                    "g.yaml"))
        .hasMessageContaining("field spec.types \"Ingress\" must be a list, not a single value");
    assertThatThrownBy(
            () ->
                codec.read(
                    "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: [10.0.0.0/16]}",
                    "p.yaml"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("field spec.cidr must be a string, not a list");
    assertThatThrownBy(
            () ->
                codec.read(
                    "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.0.0.0/16, ipipMode: {a: 1}}",
                    "p.yaml"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("field spec.ipipMode must be one of ")
        .hasMessageContaining("not a map");
    assertThatThrownBy(
            () ->
                codec.read(
                    "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p, labels: [a]}\nspec: {cidr: 10.0.0.0/16}",
                    "p.yaml"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining(
            "field metadata.labels must be a map of key: value entries, not a list");
  }

  @Test
  void unknownTopLevelAndMetadataFieldsAreRejected() {
    assertThatThrownBy(
            () ->
                codec.read(
                    "apiVersion: netctl.dev/v1\nkind: Node\nmetadata: {name: n1}\nstatus: {}\n"))
        .hasMessageContaining("document 1 (Node \"n1\")")
        .hasMessageContaining("field status is not a known field of Node");
    assertThatThrownBy(
            () ->
                codec.read(
                    "apiVersion: netctl.dev/v1\nkind: Node\nmetadata: {name: n1, namespase: x}\n"))
        .hasMessageContaining("field metadata.namespase is not a known field");
  }

  @Test
  void unknownKindAndApiVersionAreRejected() {
    assertThatThrownBy(
            () -> codec.read("apiVersion: netctl.dev/v1\nkind: Pod\nmetadata: {name: x}"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("document 1 (Pod \"x\")")
        .hasMessageContaining("field kind \"Pod\" is not a known kind");
    assertThatThrownBy(
            () ->
                codec.read(
                    "apiVersion: crd.projectcalico.org/v1\nkind: IPPool\nmetadata: {name: x}"))
        .hasMessageContaining("field apiVersion \"crd.projectcalico.org/v1\" is not supported");
    assertThatThrownBy(() -> codec.read("kind: IPPool\nmetadata: {name: x}"))
        .hasMessageContaining("field apiVersion is missing");
    assertThatThrownBy(() -> codec.read("apiVersion: netctl.dev/v1\nmetadata: {name: x}"))
        .hasMessageContaining("field kind is missing");
  }

  @Test
  void invalidEnumValueListsTheAllowedValues() {
    String yaml =
        """
        apiVersion: netctl.dev/v1
        kind: List
        items:
        - apiVersion: netctl.dev/v1
          kind: IPPool
          metadata: {name: ok}
          spec: {cidr: 10.0.0.0/16}
        - apiVersion: netctl.dev/v1
          kind: IPPool
          metadata: {name: p}
          spec: {cidr: 10.1.0.0/16, vxlanMode: Sometimes}
        """;
    assertThatThrownBy(() -> codec.read(yaml))
        .hasMessageContaining("document 1 item 2 (IPPool \"p\")")
        .hasMessageContaining(
            "field spec.vxlanMode \"Sometimes\" must be one of Always, CrossSubnet, Never");
  }

  @Test
  void wrongValueTypesNameFieldAndValue() {
    assertThatThrownBy(
            () ->
                codec.read(
                    "apiVersion: netctl.dev/v1\nkind: IPPool\nmetadata: {name: p}\n"
                        + "spec: {cidr: 10.0.0.0/16, blockSize: big}\n"))
        .hasMessageContaining("field spec.blockSize \"big\" must be an integer");
    assertThatThrownBy(
            () ->
                codec.read(
                    "apiVersion: netctl.dev/v1\nkind: BGPPeer\nmetadata: {name: p}\n"
                        + "spec: {peerIP: 10.0.0.1, asNumber: AS65000}\n"))
        .hasMessageContaining("field spec.asNumber \"AS65000\" must be an AS number");
  }

  @Test
  void yamlSyntaxErrorsGiveTheLine() {
    assertThatThrownBy(() -> codec.read("apiVersion: netctl.dev/v1\nkind: [IPPool\n", "x.yaml"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("x.yaml: document 1")
        .hasMessageContaining("is not valid YAML/JSON at line");
    assertThatThrownBy(
            () -> codec.read("apiVersion: netctl.dev/v1\nkind: Node\nkind: Node\nmetadata: {}\n"))
        .hasMessageContaining("Duplicate field 'kind'");
    String secondBroken =
        "apiVersion: netctl.dev/v1\nkind: Node\nmetadata: {name: a}\n---\n"
            + "apiVersion: netctl.dev/v1\nkind: Node\nmetadata: {name: b\n---\n"
            + "apiVersion: netctl.dev/v1\nkind: Node\nmetadata: {name: c}\n";
    assertThatThrownBy(() -> codec.read(secondBroken, "n.yaml"))
        .hasMessageStartingWith("n.yaml: document 2: is not valid YAML/JSON at line ");
    assertThatThrownBy(() -> codec.read("[{\"kind\": }]", "n.json"))
        .hasMessageStartingWith("n.json: document 1: is not valid YAML/JSON at line 1");
  }

  @Test
  void aYamlSyntaxErrorNamesTheProblemAndItsOwnLineNotOnlyTheContext() {
    // The message was "at line 1 column 13: while scanning for the next token": the parser's
    // position and SnakeYAML's context, without what is wrong or where.
    assertThatThrownBy(() -> codec.read("kind: IPPool\n\tmetadata: x\n", "t.yaml"))
        .hasMessage(
            "t.yaml: document 1: is not valid YAML/JSON at line 2 column 1: found character"
                + " 'tab' that cannot start any token. (Do not use tab for indentation) (while"
                + " scanning for the next token)");
    assertThatThrownBy(() -> codec.read("a: [1\n---\nkind: IPPool\n", "f.yaml"))
        .hasMessage(
            "f.yaml: document 1: is not valid YAML/JSON at line 2 column 1: expected ',' or ']',"
                + " but got <document start> (while parsing a flow sequence)");
    assertThatThrownBy(() -> codec.read("a: b\n c: d\n", "m.yaml"))
        .hasMessage(
            "m.yaml: document 1: is not valid YAML/JSON at line 2 column 3: mapping values are"
                + " not allowed here");
  }

  @Test
  void aDocumentThatIsNoObjectIsSaidInYamlTerms() {
    // was "is not an object but STRING", Jackson's node type
    assertThatThrownBy(() -> codec.read("just a string\n", "s.yaml"))
        .hasMessage(
            "s.yaml: document 1: must be an object with apiVersion, kind, metadata and spec, not"
                + " the text \"just a string\"");
    assertThatThrownBy(() -> codec.read("- 7\n", "s.yaml"))
        .hasMessage(
            "s.yaml: document 1 item 1: must be an object with apiVersion, kind, metadata and"
                + " spec, not the value \"7\"");
  }

  @Test
  void aYamlAliasIsRefusedRatherThanReadAsItsOwnName() {
    // Jackson reads "nodeSelector: *sel" as the selector "sel": a valid, wrong object.
    assertThatThrownBy(
            () ->
                codec.read(
                    "apiVersion: projectcalico.org/v3\nkind: IPPool\n"
                        + "metadata: {name: &sel rack}\nspec: {cidr: 10.1.0.0/16,"
                        + " nodeSelector: *sel}\n",
                    "a.yaml"))
        .isInstanceOf(CodecException.class)
        .hasMessageStartingWith("a.yaml: document 1: is not valid YAML/JSON at line 4")
        .hasMessageEndingWith(
            "the alias *sel is not supported: write the anchored value out where it is used");
    assertThatThrownBy(
            () ->
                codec.read(
                    "base: &b {cidr: 10.1.0.0/16}\n---\napiVersion: projectcalico.org/v3\n"
                        + "kind: IPPool\nmetadata: {name: p}\nspec: *b\n",
                    "b.yaml"))
        .hasMessageContaining("the alias *b is not supported");
    // an anchor alone changes nothing
    assertThat(
            codec.readOne(
                "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: &n p}\n"
                    + "spec: {cidr: 10.1.0.0/16}\n"))
        .extracting(Resource::name)
        .isEqualTo("p");
  }

  @Test
  void parsedHelpersAreNotSerialized() {
    IPPool p = IPPool.of("a", IPPoolSpec.of("fd00::/48"));
    BGPPeer peer = BGPPeer.of("b", BGPPeerSpec.global("[fd00::1]:1790", 65001));
    assertThat(p.spec().network().isIPv4()).isFalse();
    assertThat(peer.spec().peerAddress().port()).isEqualTo(1790);
    assertThat(codec.toYaml(List.of(p, peer)))
        .doesNotContain("network", "peerAddress", "effective");
  }

  @Test
  void storageFormOmitsResourceVersionWhichComesFromTheRevision() {
    Resource r = everyKindFullyPopulated().getFirst();
    byte[] stored = codec.toStorage(r);

    assertThat(new String(stored, StandardCharsets.UTF_8))
        .doesNotContain("resourceVersion")
        .contains("\"uid\":\"0b5e9d36");
    IPPool back = codec.fromStorage(Kind.IP_POOL, stored, 77);
    assertThat(back.metadata().resourceVersion()).isEqualTo("77");
    assertThat(back.withMetadata(back.metadata().withResourceVersion("42"))).isEqualTo(r);
    assertThatThrownBy(() -> codec.fromStorage(Kind.NODE, stored, 1))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("holds a IPPool");
  }

  @Test
  void addressesAreKeptInRfc5952FormWhateverTheManifestSpelledThem() {
    String yaml =
        """
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata: {name: p}
        spec: {cidr: "FD00:0:0:0::/64"}
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata: {name: a}
        spec: {peerIP: "[2001:DB8:0::2]:1179", asNumber: 64512}
        ---
        apiVersion: projectcalico.org/v3
        kind: Node
        metadata: {name: n1}
        spec:
          bgp: {ipv4Address: 10.0.0.1/24, ipv6Address: "2001:db8:0:0:0::5/64"}
          ipv6VXLANTunnelAddr: "fd00:0:0:0::7"
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPConfiguration
        metadata: {name: default}
        spec:
          serviceClusterIPs: [{cidr: "fd00:0:0:1::/112"}]
          serviceExternalIPs: [{cidr: "fd00:0:0:2:0::/112"}]
          serviceLoadBalancerIPs: [{cidr: "fd00:0:0:3::0/112"}]
          routeReflectorClientRanges: [{cidr: "fd00:0:0:4::/64"}]
          prefixAdvertisements: [{cidr: "fd00:0:0:5::/64"}]
        """;
    List<Resource> rs = codec.read(yaml);
    IPPool pool = (IPPool) rs.get(0);
    BGPPeer peer = (BGPPeer) rs.get(1);
    Node node = (Node) rs.get(2);
    BGPConfiguration bgp = (BGPConfiguration) rs.get(3);
    assertThat(pool.spec().cidr()).isEqualTo("fd00::/64");
    assertThat(peer.spec().peerIP()).isEqualTo("[2001:db8::2]:1179");
    assertThat(node.spec().bgp().ipv4Address()).isEqualTo("10.0.0.1/24");
    assertThat(node.spec().bgp().ipv6Address()).isEqualTo("2001:db8::5/64");
    assertThat(node.spec().ipv6VXLANTunnelAddr()).isEqualTo("fd00::7");
    assertThat(bgp.spec().serviceClusterIPs().getFirst().cidr()).isEqualTo("fd00:0:0:1::/112");
    assertThat(bgp.spec().serviceExternalIPs().getFirst().cidr()).isEqualTo("fd00:0:0:2::/112");
    assertThat(bgp.spec().serviceLoadBalancerIPs().getFirst().cidr()).isEqualTo("fd00:0:0:3::/112");
    assertThat(bgp.spec().routeReflectorClientRanges().getFirst().cidr())
        .isEqualTo("fd00:0:0:4::/64");
    assertThat(bgp.spec().prefixAdvertisements().getFirst().cidr()).isEqualTo("fd00:0:0:5::/64");
  }

  @Test
  void malformedAddressesAreKeptAsWrittenForValidationToName() {
    IPPool pool =
        (IPPool)
            codec.readOne(
                "apiVersion: netctl.dev/v1\nkind: IPPool\nmetadata: {name: p}\n"
                    + "spec: {cidr: 'fd00:::/64'}\n");
    assertThat(pool.spec().cidr()).isEqualTo("fd00:::/64");
    assertThat(Validator.validate(pool))
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains("spec.cidr", "fd00:::/64"));
  }

  @Test
  void aFractionalIntegerIsRefusedNotTruncated() {
    // Jackson would otherwise store blockSize 26.5 as 26; Calico refuses a fraction for an int.
    for (String spec :
        List.of("{cidr: 10.2.0.0/16, blockSize: 26.5}", "{cidr: 10.2.0.0/16, blockSize: 2.6e1}")) {
      assertThatThrownBy(
              () ->
                  codec.read(
                      "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: c}\n"
                          + "spec: "
                          + spec
                          + "\n",
                      "p.yaml"))
          .isInstanceOf(CodecException.class)
          .hasMessageContaining("p.yaml: document 1 (IPPool \"c\")")
          .hasMessageContaining("spec.blockSize")
          .hasMessageContaining("must be an integer");
    }
    String json =
        "{\"apiVersion\":\"projectcalico.org/v3\",\"kind\":\"BGPConfiguration\","
            + "\"metadata\":{\"name\":\"default\"},\"spec\":{\"listenPort\":179.5}}";
    assertThatThrownBy(() -> codec.read(json, "b.json"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("spec.listenPort")
        .hasMessageContaining("179.5");
  }

  @Test
  void metadataOrSpecThatIsNoMapIsRefusedInYamlTermsNotJavaClasses() {
    // Jackson's own words were "Cannot construct instance of `...model.ObjectMeta` (although at
    // least one Creator exists): no String-argument constructor/factory method".
    assertThatThrownBy(
            () ->
                codec.read(
                    "{\"apiVersion\":\"projectcalico.org/v3\",\"kind\":\"IPPool\","
                        + "\"metadata\":\"x\",\"spec\":{\"cidr\":\"10.1.0.0/16\"}}",
                    "p.json"))
        .isInstanceOf(CodecException.class)
        .hasMessageEndingWith(
            "field metadata \"x\" must be a map of key: value entries, not a single value");
    assertThatThrownBy(
            () ->
                codec.read(
                    "{\"apiVersion\":\"projectcalico.org/v3\",\"kind\":\"IPPool\","
                        + "\"metadata\":{\"name\":\"y\"},\"spec\":[]}",
                    "p.json"))
        .isInstanceOf(CodecException.class)
        .hasMessage(
            "p.json: document 1 (IPPool \"y\"): field spec must be a map of key: value entries,"
                + " not a list");
  }

  @Test
  void aScalarOfAnotherTypeIsRefusedNotCoerced() {
    // Jackson would take natOutgoing: 1 as true, blockSize: "26" as 26 and ipipMode: 1 as the
    // enum's second constant; Calico (Go's JSON) and the CRD schema refuse each, and a silent
    // guess at what a mistyped value meant is the wrong default for network configuration.
    Map<String, String> cases =
        Map.of(
            "natOutgoing: 1", "field spec.natOutgoing \"1\" must be true or false",
            "disabled: \"true\"", "field spec.disabled \"true\" must be true or false",
            "blockSize: \"26\"", "field spec.blockSize \"26\" must be an integer",
            "ipipMode: 1", "field spec.ipipMode \"1\" must be one of Always, CrossSubnet, Never");
    cases.forEach(
        (field, message) ->
            assertThatThrownBy(
                    () ->
                        codec.read(
                            "apiVersion: projectcalico.org/v3\nkind: IPPool\n"
                                + "metadata: {name: c}\nspec: {cidr: 10.2.0.0/16, "
                                + field
                                + "}\n",
                            "p.yaml"))
                .as(field)
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("p.yaml: document 1 (IPPool \"c\"): " + message));
    String json =
        "{\"apiVersion\":\"projectcalico.org/v3\",\"kind\":\"BGPConfiguration\","
            + "\"metadata\":{\"name\":\"default\"},\"spec\":{\"nodeToNodeMeshEnabled\":0}}";
    assertThatThrownBy(() -> codec.read(json, "b.json"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("field spec.nodeToNodeMeshEnabled \"0\" must be true or false");
  }

  @Test
  void aNumberOrBooleanWhereAStringBelongsIsRefusedNotStoredAsText() {
    // Kubernetes refuses labels: {a: 1} ("cannot unmarshal number into ... of type string");
    // Jackson stored it as "1", so the object read back differed from the one written.
    Map<String, String> cases =
        Map.of(
            "metadata: {name: c, labels: {a: 1}}",
            "field metadata.labels.a \"1\" must be a string, not a number (write it in quotes)",
            "metadata: {name: c, annotations: {b: true}}",
            "field metadata.annotations.b \"true\" must be a string, not a boolean (write it in"
                + " quotes)",
            "metadata: {name: c, labels: {v: 1.10}}",
            "field metadata.labels.v \"1.10\" must be a string, not a number",
            "metadata: {name: c}\nspec: {cidr: 10.2.0.0/16, nodeSelector: 1}",
            "field spec.nodeSelector \"1\" must be a string, not a number");
    cases.forEach(
        (doc, message) ->
            assertThatThrownBy(
                    () ->
                        codec.read(
                            "apiVersion: projectcalico.org/v3\nkind: IPPool\n" + doc + "\n",
                            "p.yaml"))
                .as(doc)
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("p.yaml: document 1 (IPPool \"c\"): " + message));
    assertThatThrownBy(
            () ->
                codec.read(
                    "apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: p}\n"
                        + "spec: {peerIP: 10.0.0.1, asNumber: 64512, filters: [7]}\n"))
        .hasMessageContaining("field spec.filters[0] \"7\" must be a string, not a number");
    assertThatThrownBy(
            () ->
                codec.read(
                    "apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: p}\n"
                        + "spec: {peerIP: 10.0.0.1, asNumber: 64512, keepaliveTime: 20}\n"))
        .hasMessageEndingWith("field spec.keepaliveTime \"20\" must be a string, not a number");
    // Quoted, the same values are strings, and they stay strings on the way back.
    Resource quoted =
        codec.readOne(
            "apiVersion: projectcalico.org/v3\nkind: IPPool\n"
                + "metadata: {name: c, labels: {a: \"1\"}}\nspec: {cidr: 10.2.0.0/16}\n");
    assertThat(quoted.metadata().labels()).containsEntry("a", "1");
    assertThat(codec.readOne(codec.toYaml(quoted))).isEqualTo(quoted);
  }

  /**
   * kubectl and calicoctl read YAML with sigs.k8s.io/yaml: go-yaml v2 (YAML 1.1) before, go-yaml v3
   * (YAML 1.2 core, 1.1 octals kept) now. An unquoted scalar those readers (or this one) read
   * differently must be refused, naming the field, the value as written and the rule; otherwise
   * {@code natOutgoing: on} or {@code blockSize: 026} means one thing here and another there.
   */
  @Test
  void unquotedYaml11FormsThatKubernetesReadersDisagreeOnAreRefusedNamingFieldValueAndRule() {
    Map<String, String> cases =
        Map.of(
            "spec: {cidr: 10.2.0.0/16, natOutgoing: on}",
            "field spec.natOutgoing \"on\" (unquoted value) is the boolean true to calicoctl"
                + " (YAML 1.1) but text to kubectl (YAML 1.2)",
            "spec: {cidr: 10.2.0.0/16, disabled: No}",
            "field spec.disabled \"No\" (unquoted value) is the boolean false",
            "spec: {cidr: 10.2.0.0/16, blockSize: 0o32}",
            "field spec.blockSize \"0o32\" (unquoted value) is the number 26 to calicoctl and"
                + " kubectl but text to this reader",
            "metadata: {name: c, labels: {rack: 08}}\nspec: {cidr: 10.2.0.0/16}",
            "field metadata.labels.rack \"08\" (unquoted value) is the number 8",
            "metadata: {name: c, labels: {0x1A: b}}\nspec: {cidr: 10.2.0.0/16}",
            "field metadata.labels.0x1A \"0x1A\" (unquoted key) is the key \"26\" to calicoctl",
            "metadata: {name: c, labels: {enabled: Yes}}\nspec: {cidr: 10.2.0.0/16}",
            "field metadata.labels.enabled \"Yes\" (unquoted value) is the boolean true",
            "metadata: {name: c, labels: {off: x}}\nspec: {cidr: 10.2.0.0/16}",
            "field metadata.labels.off \"off\" (unquoted key) is the boolean false",
            "spec: {cidr: 10.2.0.0/16, allowedUses: [Workload, yes]}",
            "field spec.allowedUses[1] \"yes\" (unquoted value) is the boolean true");
    cases.forEach(
        (doc, message) -> {
          String text =
              "apiVersion: projectcalico.org/v3\nkind: IPPool\n"
                  + (doc.startsWith("metadata") ? "" : "metadata: {name: c}\n")
                  + doc
                  + "\n";
          assertThatThrownBy(() -> codec.read(text, "p.yaml"))
              .as(doc)
              .isInstanceOf(CodecException.class)
              .hasMessageStartingWith("p.yaml: document 1: " + message)
              .hasMessageContaining("put the text in quotes");
        });
  }

  @Test
  void theFormsEveryYamlReaderSharesAreRead() {
    IPPool p =
        (IPPool)
            codec.readOne(
                "apiVersion: projectcalico.org/v3\nkind: IPPool\n"
                    + "metadata: {name: c, labels: {a: \"yes\", b: 'on', c: \"0755\", d: '08', e: y}}\n"
                    + "spec: {cidr: 10.2.0.0/16, natOutgoing: true, disabled: False,"
                    + " blockSize: 0x1A, ipipMode: Never}\n");
    assertThat(p.metadata().labels())
        .containsEntry("a", "yes")
        .containsEntry("b", "on")
        .containsEntry("c", "0755")
        .containsEntry("d", "08")
        .as("y and n are text to kubectl (YAML 1.2), as here")
        .containsEntry("e", "y");
    assertThat(p.spec().natOutgoing()).isTrue();
    assertThat(p.spec().disabled()).isFalse();
    assertThat(p.spec().blockSize()).isEqualTo(26);
  }

  /** What netctl writes must read back the same here and with kubectl: such text stays quoted. */
  @Test
  void textThatLooksLikeAYaml11ScalarIsWrittenQuotedAndReadsBack() {
    Map<String, String> awkward =
        Map.of("on", "y", "yes", "No", "rack", "08", "mode", "0755", "oct", "0o17", "off", "OFF");
    Resource r =
        new IPPool(
            new ObjectMeta("c", awkward, Map.of("n", "n"), null, null, null),
            IPPoolSpec.of("10.2.0.0/16"));
    assertThat(codec.readOne(codec.toYaml(r))).isEqualTo(r);
  }

  @Test
  void aPolicyRuleProtocolMayBeANumberAsCalicosNumOrStringAllows() {
    Resource r =
        codec.readOne(
            "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\n"
                + "spec: {ingress: [{action: Allow, protocol: 6, notProtocol: UDP}]}\n");
    PolicyRule rule = ((GlobalNetworkPolicy) r).spec().ingress().getFirst();
    assertThat(rule.protocol()).isEqualTo("6");
    assertThat(rule.notProtocol()).isEqualTo("UDP");
    // written back as Calico writes it, a number, and read back equal; a side that matches
    // everything is left out rather than printed as source: {}
    assertThat(codec.toYaml(r))
        .contains("protocol: 6\n")
        .contains("notProtocol: UDP\n")
        .doesNotContain("source")
        .doesNotContain("destination");
    assertThat(codec.readOne(codec.toYaml(r))).isEqualTo(r);
    assertThat(codec.readOne(codec.toJson(r))).isEqualTo(r);
  }

  @Test
  void everyDocumentThatCannotBeReadIsNamedNotOnlyTheFirst() {
    String text =
        "apiVersion: netctl.dev/v1\nkind: IPPool\nmetadata: {name: a}\n"
            + "spec: {cidr: 10.1.0.0/16, blockSize: \"26\"}\n---\n"
            + "apiVersion: netctl.dev/v1\nkind: IPPool\nmetadata: {name: b}\n"
            + "spec: {cidr: 10.2.0.0/16}\n---\n"
            + "apiVersion: netctl.dev/v1\nkind: IPPool\nmetadata: {name: c}\n"
            + "spec: {cidr: 10.3.0.0/16, natOutgoing: 1}\n";
    assertThatThrownBy(() -> codec.read(text, "p.yaml"))
        .isInstanceOf(CodecException.class)
        .hasMessage(
            "p.yaml: document 1 (IPPool \"a\"): field spec.blockSize \"26\" must be an integer\n"
                + "p.yaml: document 3 (IPPool \"c\"): field spec.natOutgoing \"1\" must be true"
                + " or false");
    Decoded decoded = codec.decodeManifests(text, "p.yaml", null);
    assertThat(decoded.resources()).extracting(Resource::name).containsExactly("b");
    assertThat(decoded.errors())
        .extracting(CodecException::field)
        .containsExactly("spec.blockSize", "spec.natOutgoing");
  }

  @Test
  void manifestsOfAnotherDatastoreLoseItsServerFieldsOursKeepThem() {
    String meta =
        "{name: p, resourceVersion: '7', uid: u-1, creationTimestamp: '2023-01-10T10:00:00Z'}";
    String calico =
        "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: "
            + meta
            + "\nspec: {cidr: 10.0.0.0/16}\n";
    String ours = calico.replace("projectcalico.org/v3", "netctl.dev/v1");
    ObjectMeta dropped = codec.readManifests(calico, "c.yaml").getFirst().metadata();
    assertThat(dropped.resourceVersion()).isNull();
    assertThat(dropped.uid()).isNull();
    assertThat(dropped.creationTimestamp()).isNull();
    ObjectMeta kept = codec.readManifests(ours, "o.yaml").getFirst().metadata();
    assertThat(kept.resourceVersion()).isEqualTo("7");
    assertThat(kept.uid()).isEqualTo("u-1");
    // read() itself keeps them: migrate --from-calico carries Calico's uid and creation time over.
    assertThat(codec.read(calico, "c.yaml").getFirst().metadata().uid()).isEqualTo("u-1");
  }

  @Test
  void aKubectlExportReadsAsAManifestWithoutItsServerWrittenFields() {
    // kubectl get networkpolicy deny -o yaml: status and the metadata the API server writes.
    String exported =
        """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          annotations:
            kubectl.kubernetes.io/last-applied-configuration: '{"kind":"NetworkPolicy"}'
          creationTimestamp: "2024-03-01T10:00:00Z"
          generation: 3
          managedFields:
          - {apiVersion: networking.k8s.io/v1, fieldsType: FieldsV1, manager: kubectl, operation: Update}
          name: deny
          namespace: default
          resourceVersion: "1234"
          selfLink: /apis/networking.k8s.io/v1/namespaces/default/networkpolicies/deny
          uid: 7c0e0d2c-0000-4000-8000-000000000001
        spec:
          podSelector: {}
          policyTypes: [Ingress]
        status: {}
        """;

    Resource r = codec.readManifests(exported, "np.yaml").getFirst();

    assertThat(r.name()).isEqualTo("deny");
    assertThat(r.metadata().annotations())
        .containsKey("kubectl.kubernetes.io/last-applied-configuration");
    assertThat(r.metadata().uid()).isNull();
    // Our own manifests keep being strict: status is not a field of netctl's model.
    String ours =
        "apiVersion: netctl.dev/v1\nkind: IPPool\nmetadata: {name: p}\n"
            + "spec: {cidr: 10.0.0.0/16}\nstatus: {}\n";
    assertThatThrownBy(() -> codec.readManifests(ours, "o.yaml"))
        .isInstanceOf(CodecException.class)
        .hasMessageContaining("field status is not a known field of IPPool");
  }

  @Test
  void aManifestNamespaceFillsOnlyNamespacedObjectsThatNameNone() {
    String text =
        """
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata: {name: a}
        ---
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata: {name: b, namespace: other}
        ---
        apiVersion: v1
        kind: List
        items:
        - apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: c}
          spec: {podSelector: {}}
        - apiVersion: projectcalico.org/v3
          kind: IPPool
          metadata: {name: p}
          spec: {cidr: 10.0.0.0/16}
        """;

    List<Resource> in = codec.readManifests(text, "m.yaml", "shop");

    assertThat(in)
        .extracting(r -> r.metadata().namespace())
        .containsExactly("shop", "other", "shop", null);
    // without one, a namespaced object still lands in "default"
    assertThat(codec.readManifests(text, "m.yaml").getFirst().metadata().namespace())
        .isEqualTo(Kind.DEFAULT_NAMESPACE);
  }
}
