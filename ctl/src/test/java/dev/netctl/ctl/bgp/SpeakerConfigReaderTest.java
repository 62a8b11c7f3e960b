package dev.netctl.ctl.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SpeakerConfigReaderTest {

  private static final String FULL =
      """
      routerId: 192.0.2.1
      asNumber: 65001
      listen: {address: 127.0.0.2, port: 1179}
      peers:
        - address: 127.0.0.3
          port: 1180
          asNumber: 65001
          holdTime: 30
          families: [ipv4]
          addPath: true
          routeReflectorClient: true
          gracefulRestart: 120
          import: accept-all
          export: {action: accept-all}
        - address: ::1
          localAddress: ::1
          asNumber: 65002
          passive: true
      originate:
        - prefix: 10.1.0.0/16
          nextHop: 127.0.0.2
          communities: ["65001:100"]
          largeCommunities: ["65001:1:2"]
        - prefix: 2001:db8::/32
      admin: {address: 127.0.0.1:9180}
      """;

  @Test
  void readsEveryFieldAndFillsDefaults() throws Exception {
    SpeakerPlan plan = SpeakerConfigReader.parse("speaker.yaml", FULL, true);

    assertThat(plan.routerId()).isEqualTo(InetAddress.ofLiteral("192.0.2.1"));
    assertThat(plan.asNumber()).isEqualTo(65001);
    assertThat(plan.listen()).isEqualTo(new InetSocketAddress("127.0.0.2", 1179));
    assertThat(plan.admin()).isEqualTo(new InetSocketAddress("127.0.0.1", 9180));
    PeerSpec ibgp = plan.peers().get(0).spec();
    assertThat(plan.peers().get(0).importPolicy()).isEqualTo(RoutePolicy.ACCEPT_ALL);
    assertThat(plan.peers().get(0).routeReflectorClient()).isTrue();
    assertThat(plan.peers().get(1).routeReflectorClient()).isFalse();
    assertThat(plan.peers().get(1).exportPolicy()).as("none configured: RFC 8212").isNull();
    assertThat(ibgp.remote()).isEqualTo(new InetSocketAddress("127.0.0.3", 1180));
    assertThat(ibgp.localAddress()).isEqualTo(InetAddress.ofLiteral("127.0.0.2"));
    assertThat(ibgp.config().internal()).isTrue();
    assertThat(ibgp.config().holdTime()).isEqualTo(30);
    assertThat(ibgp.config().families()).containsExactly(AddressFamily.IPV4_UNICAST);
    assertThat(ibgp.config().addPathReceive()).containsExactly(AddressFamily.IPV4_UNICAST);
    assertThat(ibgp.config().gracefulRestartSeconds()).isEqualTo(120);
    assertThat(ibgp.passive()).isFalse();
    PeerSpec ebgp = plan.peers().get(1).spec();
    assertThat(ebgp.remote().getPort()).isEqualTo(179);
    assertThat(ebgp.config().remoteAs()).isEqualTo(65002);
    assertThat(ebgp.config().internal()).isFalse();
    assertThat(ebgp.config().holdTime()).isEqualTo(90);
    assertThat(ebgp.config().families())
        .isEqualTo(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST));
    assertThat(ebgp.config().gracefulRestartSeconds()).isEqualTo(-1);
    assertThat(ebgp.passive()).isTrue();
    assertThat(plan.routes()).hasSize(2);
    SpeakerPlan.Route r = plan.routes().get(0);
    assertThat(r.prefix()).isEqualTo(Prefix.parse("10.1.0.0/16"));
    assertThat(r.nextHop()).isEqualTo(InetAddress.ofLiteral("127.0.0.2"));
    assertThat(r.attributes())
        .containsExactly(
            new PathAttribute.Communities(List.of((65001 << 16) | 100)),
            new PathAttribute.LargeCommunities(
                List.of(new PathAttribute.LargeCommunity(65001, 1, 2))));
    assertThat(plan.routes().get(1).nextHop()).isNull();
  }

  @Test
  void theShippedExampleIsValid() {
    Path example = Path.of("../docs/examples/speaker.yaml");
    SpeakerPlan plan = SpeakerConfigReader.read(example, true);
    assertThat(plan.peers()).isNotEmpty();
    assertThat(plan.routes()).isNotEmpty();
  }

  @Test
  void reportsEveryViolationNotJustTheFirst() {
    String yaml =
        """
        routerId: 192.0.2.1
        asNumber: 0
        listen: {address: 127.0.0.2, port: 70000}
        """;
    assertThatThrownBy(() -> SpeakerConfigReader.parse("s.yaml", yaml, true))
        .isInstanceOfSatisfying(
            SpeakerConfigException.class,
            e ->
                assertThat(e.violations())
                    .containsExactly(
                        "s.yaml: asNumber: \"0\" must be 1..4294967295",
                        "s.yaml: listen.port: \"70000\" must be 1..65535"));
  }

  @Test
  void asNumbersMayBeAsdotAsInTheDatastore() throws Exception {
    SpeakerPlan plan =
        SpeakerConfigReader.parse(
            "s.yaml",
            """
            routerId: 192.0.2.1
            asNumber: 1.10
            listen: {address: 127.0.0.2}
            peers:
              - {address: 127.0.0.3, asNumber: 1.10}
              - {address: 127.0.0.4, asNumber: "2.65535", import: accept-all, export: accept-all}
              - {address: 127.0.0.5, asNumber: 65002, import: accept-all, export: accept-all}
            dynamicPeers:
              - {name: nodes, range: 10.0.0.0/16, template: {asNumber: 1.10}}
            """,
            true);
    assertThat(plan.asNumber()).as("1.10 = 1 * 65536 + 10 (RFC 5396)").isEqualTo(65546);
    assertThat(plan.peers())
        .extracting(p -> p.spec().config().remoteAs())
        .containsExactly(65546L, 2L * 65536 + 65535, 65002L);
    assertThat(plan.dynamicRanges().getFirst().template().spec().config().remoteAs())
        .isEqualTo(65546);
  }

  @Test
  void aBadAsdotNumberNamesTheFieldTheValueAndTheRule() {
    for (String[] c :
        new String[][] {
          {"asNumber: 1.70000", "asNumber"},
          {
            "asNumber: 1\n" + "peers: [{address: 127.0.0.3, asNumber: \"1.2.3\"}]",
            "peers[0].asNumber"
          },
          {
            "asNumber: 1\n"
                + "policies: {p: {statements: [{match: {neighborAs: 70000.1}, then: accept}]}}",
            "policies.p.statements[0].match.neighborAs"
          },
        }) {
      String yaml = "routerId: 192.0.2.1\nlisten: {address: 127.0.0.2}\n" + c[0] + "\n";
      String value = c[0].replaceAll("(?s).*(1\\.70000|1\\.2\\.3|70000\\.1).*", "$1");
      assertThatThrownBy(() -> SpeakerConfigReader.parse("s.yaml", yaml, true))
          .as(c[0])
          .isInstanceOfSatisfying(
              SpeakerConfigException.class,
              e ->
                  assertThat(e.violations())
                      .containsExactly(
                          "s.yaml: "
                              + c[1]
                              + ": \""
                              + value
                              + "\" must be an AS number, a plain integer or asdot X.Y with halves"
                              + " 0-65535 (RFC 5396)"));
    }
  }

  @Test
  void passwordAndGtsmAreRefusedWithoutEpollRatherThanIgnored() {
    String yaml =
        """
        routerId: 192.0.2.1
        asNumber: 65001
        listen: {address: 127.0.0.2}
        peers:
          - {address: 127.0.0.3, asNumber: 65001, password: s3cret, ttlSecurity: 1}
        """;
    assertThatThrownBy(() -> SpeakerConfigReader.parse("s.yaml", yaml, false))
        .hasMessageContaining("peers[0].password")
        .hasMessageContaining("TCP MD5 needs Linux epoll")
        .hasMessageContaining("peers[0].ttlSecurity")
        .hasMessageNotContaining("s3cret");
    PeerSpec p = SpeakerConfigReader.parse("s.yaml", yaml, true).peers().get(0).spec();
    assertThat(p.md5Password()).isEqualTo("s3cret");
    assertThat(p.ttlSecurityHops()).isEqualTo(1);
  }

  @Test
  void ipv6NextHopIsReadAtTheTopAndPerPeerAndMustBeGlobal() throws Exception {
    String yaml =
        """
        routerId: 192.0.2.1
        asNumber: 65001
        listen: {address: 127.0.0.2}
        ipv6NextHop: 2001:db8::2
        peers:
          - {address: 127.0.0.3, asNumber: 65001, ipv6NextHop: "2001:DB8:0:0::3"}
          - {address: 127.0.0.4, asNumber: 65001}
        """;
    SpeakerPlan plan = SpeakerConfigReader.parse("s.yaml", yaml, true);
    assertThat(plan.ipv6NextHop()).isEqualTo(InetAddress.ofLiteral("2001:db8::2"));
    assertThat(plan.peers().get(0).ipv6NextHop()).isEqualTo(InetAddress.ofLiteral("2001:db8::3"));
    assertThat(plan.peers().get(1).ipv6NextHop())
        .as("the top-level one applies at run time")
        .isNull();

    String bad =
        """
        routerId: 192.0.2.1
        asNumber: 65001
        listen: {address: 127.0.0.2}
        ipv6NextHop: 192.0.2.9
        peers:
          - {address: 127.0.0.3, asNumber: 65001, ipv6NextHop: "fe80::1"}
        """;
    assertThatThrownBy(() -> SpeakerConfigReader.parse("s.yaml", bad, true))
        .isInstanceOfSatisfying(
            SpeakerConfigException.class,
            e ->
                assertThat(e.violations())
                    .anySatisfy(
                        v ->
                            assertThat(v)
                                .startsWith("s.yaml: ipv6NextHop: \"192.0.2.9\" must be an IPv6"))
                    .anySatisfy(
                        v ->
                            assertThat(v)
                                .startsWith("s.yaml: peers[0].ipv6NextHop: \"fe80::1\"")
                                .contains("link-local")));
  }

  @Test
  void ipv4NextHopIsReadAtTheTopAndPerPeerAndMustBeAUnicastIpv4Address() throws Exception {
    String yaml =
        """
        routerId: 192.0.2.1
        asNumber: 65001
        listen: {address: "::1"}
        ipv4NextHop: 192.0.2.7
        peers:
          - {address: "::1", port: 1790, asNumber: 65001, ipv4NextHop: 192.0.2.8}
          - {address: 127.0.0.4, asNumber: 65001, localAddress: 127.0.0.2}
        dynamicPeers:
          - {name: v6, range: "fd00::/64", template: {asNumber: 65001}}
        """;
    SpeakerPlan plan = SpeakerConfigReader.parse("s.yaml", yaml, true);
    assertThat(plan.peers().get(0).ipv4NextHop()).isEqualTo(InetAddress.ofLiteral("192.0.2.8"));
    assertThat(plan.peers().get(1).ipv4NextHop())
        .as("the top-level one fills in for a peer that sets none")
        .isEqualTo(InetAddress.ofLiteral("192.0.2.7"));
    assertThat(plan.dynamicRanges().getFirst().template().ipv4NextHop())
        .as("and for a range's template")
        .isEqualTo(InetAddress.ofLiteral("192.0.2.7"));

    String bad =
        """
        routerId: 192.0.2.1
        asNumber: 65001
        listen: {address: "::1"}
        ipv4NextHop: "2001:db8::1"
        peers:
          - {address: "::1", port: 1790, asNumber: 65001, ipv4NextHop: 224.0.0.5}
          - {address: 127.0.0.4, asNumber: 65001, localAddress: 127.0.0.2, ipv4NextHop: 0.0.0.0}
        """;
    assertThatThrownBy(() -> SpeakerConfigReader.parse("s.yaml", bad, true))
        .isInstanceOfSatisfying(
            SpeakerConfigException.class,
            e ->
                assertThat(e.violations())
                    .containsExactly(
                        "s.yaml: ipv4NextHop: \"2001:db8::1\" must be an IPv4 address (NEXT_HOP of"
                            + " IPv4 routes, RFC 4271 §5.1.3)",
                        "s.yaml: peers[0].ipv4NextHop: \"224.0.0.5\" must be a unicast address,"
                            + " not multicast (RFC 4271 §6.3)",
                        "s.yaml: peers[1].ipv4NextHop: \"0.0.0.0\" must not be 0.0.0.0 (RFC 4271"
                            + " §6.3: NEXT_HOP must be a valid host address)"));
  }

  @Test
  void dynamicPeersAreARangeWithATemplateAndALimit() throws Exception {
    String yaml =
        """
        routerId: 192.0.2.1
        asNumber: 65001
        listen: {address: 127.0.0.2}
        dynamicPeers:
          - name: nodes
            range: 10.0.0.0/16
            limit: 500
            template: {asNumber: 65001, routeReflectorClient: true, holdTime: 30,
                       import: accept-all, export: accept-all}
          - name: edge
            range: 2001:db8:e::/48
            template: {asNumber: 65002, localAddress: "::1"}
        """;
    SpeakerPlan plan = SpeakerConfigReader.parse("s.yaml", yaml, true);
    assertThat(plan.dynamicRanges()).hasSize(2);
    var nodes = plan.dynamicRanges().get(0);
    assertThat(nodes.name()).isEqualTo("nodes");
    assertThat(nodes.range()).isEqualTo(Prefix.parse("10.0.0.0/16"));
    assertThat(nodes.limit()).isEqualTo(500);
    assertThat(nodes.template().routeReflectorClient()).isTrue();
    assertThat(nodes.template().spec().passive()).isTrue();
    assertThat(nodes.template().spec().config().holdTime()).isEqualTo(30);
    assertThat(nodes.contains(InetAddress.ofLiteral("10.0.200.1"))).isTrue();
    assertThat(nodes.contains(InetAddress.ofLiteral("10.1.0.1"))).isFalse();
    assertThat(plan.dynamicRanges().get(1).limit()).as("default").isEqualTo(100);
    assertThat(plan.dynamicRanges().get(1).template().spec().config().internal()).isFalse();
  }

  @Test
  void dynamicPeersMayAcceptASetOfAsNumbers() throws Exception {
    String yaml =
        """
        routerId: 192.0.2.1
        asNumber: 65001
        listen: {address: 127.0.0.2}
        dynamicPeers:
          - {name: tors, range: 10.0.0.0/16, remoteAs: "64512-65000,65100", template: {holdTime: 30}}
          - {name: ext, range: 10.1.0.0/16, remoteAs: external, template: {}}
          - {name: rr, range: 10.2.0.0/16, remoteAs: internal,
             template: {routeReflectorClient: true}}
        """;
    SpeakerPlan plan = SpeakerConfigReader.parse("s.yaml", yaml, true);
    var tors = plan.dynamicRanges().get(0).template().spec().config();
    assertThat(tors.acceptedAs().text()).isEqualTo("64512-65000,65100");
    assertThat(tors.acceptsAs(64700)).isTrue();
    assertThat(tors.acceptsAs(65001)).isFalse();
    assertThat(tors.holdTime()).isEqualTo(30);
    var ext = plan.dynamicRanges().get(1).template().spec().config();
    assertThat(ext.acceptsAs(4_200_000_000L)).isTrue();
    assertThat(ext.acceptsAs(65001)).isFalse();
    var rr = plan.dynamicRanges().get(2).template();
    assertThat(rr.routeReflectorClient()).isTrue();
    assertThat(rr.spec().config().acceptsAs(65001)).isTrue();
    assertThat(rr.spec().config().acceptsAs(65002)).isFalse();
  }

  @Test
  void remoteAsMistakesNameTheField() {
    String yaml =
        """
        routerId: 192.0.2.1
        asNumber: 65001
        listen: {address: 127.0.0.2}
        dynamicPeers:
          - {name: a, range: 10.0.0.0/16, remoteAs: 65000-64512, template: {}}
          - {name: b, range: 10.1.0.0/16, remoteAs: external, template: {asNumber: 65002}}
          - {name: c, range: 10.2.0.0/16, remoteAs: 64512-65534,
             template: {routeReflectorClient: true}}
          - {name: d, range: 10.3.0.0/16, template: {}}
        """;
    assertThatThrownBy(() -> SpeakerConfigReader.parse("s.yaml", yaml, true))
        .isInstanceOfSatisfying(
            SpeakerConfigException.class,
            e ->
                assertThat(String.join("\n", e.violations()))
                    .contains(
                        "dynamicPeers[0].remoteAs: \"65000-64512\" AS range \"65000-64512\" ends"
                            + " before it starts")
                    .contains(
                        "dynamicPeers[1].template.asNumber: \"65002\" must not be set with"
                            + " dynamicPeers[1].remoteAs")
                    .contains(
                        "dynamicPeers[2].template.routeReflectorClient: \"true\" needs iBGP peers:"
                            + " remoteAs must be internal, not 64512-65534")
                    .contains(
                        "dynamicPeers[3].template.asNumber: is required unless"
                            + " dynamicPeers[3].remoteAs is set"));
  }

  @Test
  void dynamicPeerMistakesNameTheField() {
    String yaml =
        """
        routerId: 192.0.2.1
        asNumber: 65001
        listen: {address: 127.0.0.2}
        dynamicPeers:
          - {name: a, range: 10.0.0.1/16, template: {asNumber: 65001}}
          - {name: b, range: 10.1.0.0/16, limit: 0,
             template: {asNumber: 65001, address: 10.1.0.1, password: s3cret}}
          - {name: c, range: 10.2.0.0/16}
          - {name: c, range: 10.3.0.0/16, template: {asNumber: 65001}}
        """;
    assertThatThrownBy(() -> SpeakerConfigReader.parse("s.yaml", yaml, true))
        .isInstanceOfSatisfying(
            SpeakerConfigException.class,
            e ->
                assertThat(String.join("\n", e.violations()))
                    .contains("dynamicPeers[0].range: \"10.0.0.1/16\" is not a valid prefix")
                    .contains("dynamicPeers[1].limit: \"0\" must be 1..100000")
                    .contains("dynamicPeers[1].template.address: \"10.1.0.1\" must not be set")
                    .contains("dynamicPeers[1].template.password")
                    .contains("dynamicPeers[2].template: is required")
                    .contains("dynamicPeers[3].name: \"c\" is a duplicate")
                    .doesNotContain("s3cret"));
  }

  private static final String HEAD =
      """
      routerId: 192.0.2.1
      asNumber: 65001
      listen: {address: 127.0.0.2}
      """;

  @Test
  void keepaliveTimeAndAllowLocalAsReachThePeersConfig() throws Exception {
    SpeakerPlan plan =
        SpeakerConfigReader.parse(
            "s.yaml",
            HEAD
                + """
                peers:
                  - {address: 127.0.0.3, asNumber: 65002, keepaliveTime: 10, allowLocalAs: 2}
                  - {address: 127.0.0.4, asNumber: 65003}
                dynamicPeers:
                  - {name: tors, range: 10.0.0.0/16,
                     template: {asNumber: 65010, keepaliveTime: 5, allowLocalAs: 1}}
                """,
            true);
    assertThat(plan.peers().get(0).spec().config().keepaliveTime()).isEqualTo(10);
    assertThat(plan.peers().get(0).spec().config().allowLocalAs()).isEqualTo(2);
    assertThat(plan.peers().get(1).spec().config().keepaliveTime()).as("default").isZero();
    assertThat(plan.peers().get(1).spec().config().allowLocalAs()).as("default").isZero();
    assertThat(plan.dynamicRanges().getFirst().template().spec().config().keepaliveTime())
        .isEqualTo(5);
    assertThat(plan.dynamicRanges().getFirst().template().spec().config().allowLocalAs())
        .isEqualTo(1);
    String bad =
        HEAD
            + """
            peers:
              - {address: 127.0.0.3, asNumber: 65002, keepaliveTime: 0}
              - {address: 127.0.0.4, asNumber: 65002, holdTime: 30, keepaliveTime: 31}
              - {address: 127.0.0.5, asNumber: 65002, holdTime: 0, keepaliveTime: 5}
              - {address: 127.0.0.6, asNumber: 65002, allowLocalAs: 256}
            """;
    assertThatThrownBy(() -> SpeakerConfigReader.parse("s.yaml", bad, true))
        .isInstanceOfSatisfying(
            SpeakerConfigException.class,
            e ->
                assertThat(e.violations())
                    .containsExactly(
                        "s.yaml: peers[0].keepaliveTime: \"0\" must be 1..65535 seconds",
                        "s.yaml: peers[1].keepaliveTime: \"31\" must not exceed holdTime (30)",
                        "s.yaml: peers[2].keepaliveTime: \"5\" needs a holdTime: with holdTime 0"
                            + " no KEEPALIVEs are sent",
                        "s.yaml: peers[3].allowLocalAs: \"256\" must be 1..255 (how often our AS"
                            + " may appear)"));
  }

  /**
   * The prefix limit (per family, RFC 4486 §4) reaches the peer's and a range template's config;
   * out of range, or not a whole number, is refused naming the field, value and rule.
   */
  @Test
  void maxPrefixesReachesThePeersConfigAndIsChecked() throws Exception {
    SpeakerPlan plan =
        SpeakerConfigReader.parse(
            "s.yaml",
            HEAD
                + """
                peers:
                  - {address: 127.0.0.3, asNumber: 65002, maxPrefixes: 1000}
                  - {address: 127.0.0.4, asNumber: 65003, maxPrefixes: 4294967295}
                  - {address: 127.0.0.5, asNumber: 65003}
                dynamicPeers:
                  - {name: tors, range: 10.0.0.0/16, template: {asNumber: 65010, maxPrefixes: 50}}
                """,
            true);
    assertThat(plan.peers().get(0).spec().config().maxPrefixes()).isEqualTo(1000);
    assertThat(plan.peers().get(1).spec().config().maxPrefixes()).isEqualTo(4294967295L);
    assertThat(plan.peers().get(2).spec().config().maxPrefixes()).as("no limit").isZero();
    assertThat(plan.dynamicRanges().getFirst().template().spec().config().maxPrefixes())
        .isEqualTo(50);
    String bad =
        HEAD
            + """
            peers:
              - {address: 127.0.0.3, asNumber: 65002, maxPrefixes: 0}
              - {address: 127.0.0.4, asNumber: 65002, maxPrefixes: -5}
              - {address: 127.0.0.5, asNumber: 65002, maxPrefixes: 4294967296}
            """;
    assertThatThrownBy(() -> SpeakerConfigReader.parse("s.yaml", bad, true))
        .isInstanceOfSatisfying(
            SpeakerConfigException.class,
            e ->
                assertThat(e.violations())
                    .containsExactly(
                        "s.yaml: peers[0].maxPrefixes: \"0\" must be 1..4294967295 (prefixes per"
                            + " family; omit it for no limit)",
                        "s.yaml: peers[1].maxPrefixes: \"-5\" must be 1..4294967295 (prefixes"
                            + " per family; omit it for no limit)",
                        "s.yaml: peers[2].maxPrefixes: \"4294967296\" must be 1..4294967295"
                            + " (prefixes per family; omit it for no limit)"));
    String badTemplate =
        HEAD
            + """
            dynamicPeers:
              - {name: tors, range: 10.0.0.0/16, template: {asNumber: 65010, maxPrefixes: 0}}
            """;
    assertThatThrownBy(() -> SpeakerConfigReader.parse("s.yaml", badTemplate, true))
        .isInstanceOfSatisfying(
            SpeakerConfigException.class,
            e ->
                assertThat(e.violations())
                    .containsExactly(
                        "s.yaml: dynamicPeers[0].template.maxPrefixes: \"0\" must be"
                            + " 1..4294967295 (prefixes per family; omit it for no limit)"));
    assertThatThrownBy(
            () ->
                SpeakerConfigReader.parse(
                    "s.yaml",
                    HEAD + "peers:\n  - {address: 127.0.0.3, asNumber: 65002, maxPrefixes: many}\n",
                    true))
        .isInstanceOfSatisfying(
            SpeakerConfigException.class,
            e ->
                assertThat(String.join("\n", e.violations()))
                    .contains("peers[0].maxPrefixes")
                    .contains("many"));
  }

  @Test
  void dynamicPeersAllowLocalAsFollowsRemoteAsNotItsStandIn() throws Exception {
    // A span starting at our own AS (65001) still accepts external peers (65002..65010): the
    // allowance reaches their template instead of being refused against the span's first AS.
    SpeakerPlan plan =
        SpeakerConfigReader.parse(
            "s.yaml",
            HEAD
                + """
                dynamicPeers:
                  - {name: tors, range: 10.0.0.0/16, remoteAs: "65001-65010",
                     template: {allowLocalAs: 2}}
                  - {name: ext, range: 10.1.0.0/16, remoteAs: external,
                     template: {allowLocalAs: 1}}
                  - {name: rr, range: 10.2.0.0/16, remoteAs: internal, template: {allowLocalAs: 3}}
                peers:
                  - {address: 127.0.0.7, asNumber: 65001, allowLocalAs: 1}
                """,
            true);
    assertThat(plan.dynamicRanges().get(0).template().spec().config().allowLocalAs()).isEqualTo(2);
    assertThat(plan.dynamicRanges().get(1).template().spec().config().allowLocalAs()).isEqualTo(1);
    assertThat(plan.dynamicRanges().get(2).template().spec().config().allowLocalAs())
        .as("internal peers' routes are checked for our AS too, so the allowance applies")
        .isEqualTo(3);
    assertThat(plan.peers().getFirst().spec().config().allowLocalAs())
        .as("an iBGP peer")
        .isEqualTo(1);
    String bad =
        HEAD
            + """
            dynamicPeers:
              - {name: x, range: 10.3.0.0/16, remoteAs: external, template: {allowLocalAs: 0}}
            """;
    assertThatThrownBy(() -> SpeakerConfigReader.parse("s.yaml", bad, true))
        .isInstanceOfSatisfying(
            SpeakerConfigException.class,
            e ->
                assertThat(e.violations())
                    .containsExactly(
                        "s.yaml: dynamicPeers[0].template.allowLocalAs: \"0\" must be 1..255"
                            + " (how often our AS may appear)"));
  }

  @Test
  void enforceFirstAsIsAnEbgpNeighboursChoiceOffByDefault() throws Exception {
    SpeakerPlan plan =
        SpeakerConfigReader.parse(
            "s.yaml",
            HEAD
                + """
                peers:
                  - {address: 127.0.0.3, asNumber: 65002, enforceFirstAs: true}
                  - {address: 127.0.0.4, asNumber: 65003}
                dynamicPeers:
                  - {name: tors, range: 10.0.0.0/16, remoteAs: external,
                     template: {enforceFirstAs: true}}
                """,
            true);
    assertThat(plan.peers().get(0).spec().config().enforceFirstAs()).isTrue();
    assertThat(plan.peers().get(1).spec().config().enforceFirstAs()).as("default").isFalse();
    assertThat(plan.dynamicRanges().getFirst().template().spec().config().enforceFirstAs())
        .isTrue();
    // A span that starts with our own AS: only the sessions that turn out external are checked.
    SpeakerPlan span =
        SpeakerConfigReader.parse(
            "s.yaml",
            HEAD
                + """
                dynamicPeers:
                  - {name: mixed, range: 10.0.0.0/16, remoteAs: "65001-65010",
                     template: {enforceFirstAs: true}}
                """,
            true);
    assertThat(span.dynamicRanges().getFirst().template().spec().config().enforceFirstAs())
        .isTrue();
    String bad =
        HEAD
            + """
            peers:
              - {address: 127.0.0.3, asNumber: 65001, enforceFirstAs: true}
              - {address: 127.0.0.4, asNumber: 65002, enforceFirstAs: maybe}
            """;
    assertThatThrownBy(() -> SpeakerConfigReader.parse("s.yaml", bad, true))
        .isInstanceOfSatisfying(
            SpeakerConfigException.class,
            e ->
                assertThat(String.join("\n", e.violations()))
                    .contains("peers[1].enforceFirstAs: \"maybe\" must be true or false"));
    String ibgp =
        HEAD
            + """
            peers:
              - {address: 127.0.0.3, asNumber: 65001, enforceFirstAs: true}
            """;
    assertThatThrownBy(() -> SpeakerConfigReader.parse("s.yaml", ibgp, true))
        .isInstanceOfSatisfying(
            SpeakerConfigException.class,
            e ->
                assertThat(e.violations())
                    .containsExactly(
                        "s.yaml: peers[0].enforceFirstAs: \"true\" needs an eBGP peer (asNumber"
                            + " 65001 is ours): RFC 4271 §6.3 checks the first AS of external"
                            + " peers only"));
    String internalRange =
        HEAD
            + """
            dynamicPeers:
              - {name: nodes, range: 10.0.0.0/16, remoteAs: internal,
                 template: {enforceFirstAs: true}}
            """;
    assertThatThrownBy(() -> SpeakerConfigReader.parse("s.yaml", internalRange, true))
        .isInstanceOfSatisfying(
            SpeakerConfigException.class,
            e ->
                assertThat(e.violations())
                    .containsExactly(
                        "s.yaml: dynamicPeers[0].template.enforceFirstAs: \"true\" needs eBGP"
                            + " peers, but remoteAs internal accepts iBGP ones only: RFC 4271 §6.3"
                            + " checks the first AS of external peers only"));
  }

  @Test
  void adminEndpointIsEitherALoopbackAddressOrAShortSocketPath() {
    String tooLong = "/tmp/" + "x".repeat(120) + ".sock";
    assertThatThrownBy(
            () ->
                SpeakerConfigReader.parse(
                    "s.yaml", HEAD + "admin: {unixSocket: " + tooLong + "}\n", true))
        .hasMessage(
            "s.yaml: admin.unixSocket: \""
                + tooLong
                + "\" is longer than 107 bytes, the Unix socket path limit");
    assertThatThrownBy(
            () ->
                SpeakerConfigReader.parse(
                    "s.yaml",
                    HEAD + "admin: {unixSocket: /tmp/a.sock, address: 127.0.0.1:9}\n",
                    true))
        .hasMessage("s.yaml: admin: must set either address or unixSocket, not both");
    assertThatThrownBy(
            () ->
                SpeakerConfigReader.parse(
                    "s.yaml", HEAD + "admin: {address: unix:/tmp/a.sock}\n", true))
        .hasMessageContaining("admin.address: \"unix:/tmp/a.sock\" must be IP:PORT");
  }

  private static List<String> violations(String yaml) {
    try {
      SpeakerConfigReader.parse("s.yaml", yaml, true);
    } catch (SpeakerConfigException e) {
      return e.violations();
    }
    throw new AssertionError("accepted:\n" + yaml);
  }

  @Test
  void aPeerOfTheOtherFamilyThanTheListenAddressIsNamedInRfc5952FormAndTheDefaultSaysWhence() {
    // The peer's address was echoed as written (0:0:0:0:0:0:0:1), and the localAddress nobody
    // set was blamed without saying it came from listen.address.
    String yaml =
        """
        routerId: 192.0.2.1
        asNumber: 64512
        listen: {address: 127.0.77.1, port: 21179}
        peers: [{address: "0:0:0:0:0:0:0:1", port: 21180, asNumber: 64513}]
        """;
    assertThat(violations(yaml))
        .containsExactly(
            "s.yaml: peers[0].localAddress: \"127.0.77.1\" (listen.address, as localAddress is"
                + " not set) must be of the same IP version as the peer address ::1");
  }

  @Test
  void aZeroRouterIdIsRefusedBeforeAPeerRefusesItsOpen() {
    // A peer answers an OPEN with BGP Identifier 0 with Bad BGP Identifier (RFC 6286 §2.2).
    assertThat(violations(HEAD.replace("192.0.2.1", "0.0.0.0")))
        .containsExactly(
            "s.yaml: routerId: \"0.0.0.0\" must not be 0.0.0.0 (RFC 6286 §2.1: a BGP Identifier"
                + " is a non-zero 4-octet number)");
  }

  @Test
  void anOriginatedNextHopMustSuitThePrefixFamily() {
    String yaml =
        HEAD
            + """
            originate:
              - {prefix: 2001:db8:1::/48, nextHop: 192.0.2.9}
              - {prefix: 2001:db8:2::/48, nextHop: "fe80::1"}
              - {prefix: 2001:db8:3::/48, nextHop: "ff02::1"}
              - {prefix: 2001:db8:4::/48, nextHop: "2001:db8::4"}
            """;
    assertThat(violations(yaml))
        .containsExactly(
            "s.yaml: originate[0].nextHop: \"192.0.2.9\" must be IPv6 for the IPv6 prefix"
                + " 2001:db8:1::/48",
            "s.yaml: originate[1].nextHop: \"fe80::1\" must be a global IPv6 address, not"
                + " link-local (RFC 2545 §2: the link-local one only follows a global one)",
            "s.yaml: originate[2].nextHop: \"ff02::1\" must be a unicast address, not multicast"
                + " (RFC 2545 §2)");
  }

  @Test
  void aPeerCannotBeTheSpeakerItself() {
    // The session would connect to our own listener and fail forever with a collision or Bad BGP
    // Identifier; say so instead.
    assertThat(violations(HEAD + "peers:\n  - {address: 127.0.0.2, asNumber: 65002}\n"))
        .containsExactly(
            "s.yaml: peers[0].address: \"127.0.0.2\" is this speaker's own address and listen"
                + " port (179): a speaker cannot peer with itself");
    assertThat(
            SpeakerConfigReader.parse(
                    "s.yaml",
                    HEAD + "peers:\n  - {address: 127.0.0.2, port: 1179, asNumber: 65002}\n",
                    true)
                .peers())
        .as("one loopback address, two ports: a lab, not a loop")
        .hasSize(1);
  }

  @Test
  void aRepeatedKeyOrAFractionIsAnErrorNotSilentlyResolved() {
    assertThat(violations(HEAD + "asNumber: 65002\n"))
        .singleElement()
        .asString()
        .startsWith("s.yaml: not valid YAML at line 4")
        .contains("Duplicate field 'asNumber'");
    assertThat(violations(HEAD + "peers:\n  - {address: 127.0.0.3, asNumber: 1, holdTime: 3.5}\n"))
        .containsExactly("s.yaml: peers[0].holdTime: \"3.5\" must be a whole number");
  }

  @Test
  void aValueOfTheWrongShapeNamesTheFieldTheValueAndWhatIsExpected() {
    assertThat(violations(HEAD.replace("65001", "AS65001")))
        .containsExactly(
            "s.yaml: asNumber: \"AS65001\" must be an AS number, a plain integer or asdot X.Y with"
                + " halves 0-65535 (RFC 5396)");
    assertThat(violations(HEAD + "peers:\n  - {address: 127.0.0.3, asNumber: 1, families: ipv4}\n"))
        .containsExactly("s.yaml: peers[0].families: \"ipv4\" must be a list");
    assertThat(violations(HEAD + "peers: {address: 127.0.0.3}\n"))
        .containsExactly("s.yaml: peers: must be a list, not a mapping");
    assertThat(violations(HEAD + "peers:\n  - {address: 127.0.0.3, asNumber: 1, passive: maybe}\n"))
        .containsExactly("s.yaml: peers[0].passive: \"maybe\" must be true or false");
  }
}
