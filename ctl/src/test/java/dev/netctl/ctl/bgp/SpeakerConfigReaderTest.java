package dev.netctl.ctl.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.policy.Action;
import dev.netctl.bgp.policy.Action.ListOp;
import dev.netctl.bgp.policy.Community;
import dev.netctl.bgp.policy.Match;
import dev.netctl.bgp.policy.Policy;
import dev.netctl.bgp.policy.PrefixList;
import dev.netctl.bgp.policy.PrefixRange;
import dev.netctl.bgp.policy.Statement;
import dev.netctl.bgp.policy.Verdict;
import dev.netctl.bgp.rib.AttributeSet;
import dev.netctl.bgp.rib.PolicyContext;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
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

  private static final String HEAD =
      """
      routerId: 192.0.2.1
      asNumber: 65001
      listen: {address: 127.0.0.2}
      """;

  private static final String POLICIES =
      HEAD
          + """
          clusterId: 10.0.0.99
          admin: {unixSocket: /tmp/netctl-test.sock}
          definedSets:
            prefixSets:
              pods: [10.244.0.0/16 le 26, {prefix: "2001:db8::/32", ge: 48}]
            communitySets:
              no-transit: ["65001:666", no-export]
            largeCommunitySets:
              tenants: ["65001:2:1"]
          policies:
            to-upstream:
              statements:
                - match: {prefixSet: pods, not: {communitySet: no-transit}}
                  actions:
                    med: 10
                    nextHop: self
                    asPathPrepend: {repeat: 2}
                    communities: {set: ["65001:1"], add: ["65001:2"], remove: ["65001:1"]}
                  then: accept
            from-upstream:
              default: accept
              statements:
                - match: {asPathLength: {ge: 5}, neighborAs: 65002}
                  actions: {localPref: 50, largeCommunities: {add: ["65001:3:3"]}}
                - match: {largeCommunitySet: tenants, asPathContains: 64666}
                  actions: {nextHop: 192.0.2.7}
                  then: reject
                - match: {prefixes: [0.0.0.0/0], communities: [blackhole]}
                  actions: {nextHop: keep}
                  then: next
          peers:
            - address: 127.0.0.3
              asNumber: 65002
              import: from-upstream
              export: to-upstream
            - address: 127.0.0.4
              asNumber: 65002
              import: reject-all
              export: {prefixes: [10.244.0.0/16 ge 24]}
          """;

  @Test
  void policiesMapOntoTheLibraryStatementForStatement() throws Exception {
    SpeakerPlan plan = SpeakerConfigReader.parse("s.yaml", POLICIES, true);

    PrefixList pods =
        new PrefixList(
            "pods",
            List.of(
                PrefixRange.parse("10.244.0.0/16 le 26"),
                new PrefixRange(Prefix.parse("2001:db8::/32"), 48, 128)));
    Policy toUpstream =
        new Policy(
            "to-upstream",
            List.of(
                new Statement(
                    List.of(
                        new Match.PrefixIn(pods),
                        new Match.Not(
                            new Match.CommunityAny(
                                Set.of(Community.parse("65001:666"), 0xFFFFFF01)))),
                    List.of(
                        new Action.SetMed(10),
                        Action.SetNextHop.self(),
                        new Action.PrependAs(65001, 2),
                        new Action.SetCommunities(ListOp.SET, List.of(Community.parse("65001:1"))),
                        new Action.SetCommunities(ListOp.ADD, List.of(Community.parse("65001:2"))),
                        new Action.SetCommunities(
                            ListOp.REMOVE, List.of(Community.parse("65001:1")))),
                    Verdict.ACCEPT)),
            Verdict.REJECT);
    Policy fromUpstream =
        new Policy(
            "from-upstream",
            List.of(
                new Statement(
                    List.of(
                        new Match.NeighborAs(65002), new Match.AsPathLength(5, Integer.MAX_VALUE)),
                    List.of(
                        new Action.SetLocalPref(50),
                        new Action.SetLargeCommunities(
                            ListOp.ADD, List.of(Community.parseLarge("65001:3:3")))),
                    Verdict.CONTINUE),
                new Statement(
                    List.of(
                        new Match.LargeCommunityAny(Set.of(Community.parseLarge("65001:2:1"))),
                        new Match.AsPathContains(64666)),
                    List.of(Action.SetNextHop.to(InetAddress.ofLiteral("192.0.2.7"))),
                    Verdict.REJECT),
                new Statement(
                    List.of(
                        new Match.PrefixIn(
                            PrefixList.of(
                                "policies.from-upstream.statements[2].match.prefixes",
                                "0.0.0.0/0")),
                        new Match.CommunityAny(Set.of(0xFFFF029A))),
                    List.of(Action.SetNextHop.keep()),
                    Verdict.CONTINUE)),
            Verdict.ACCEPT);
    assertThat(plan.peers().get(0).exportPolicy()).isEqualTo(toUpstream);
    assertThat(plan.peers().get(0).importPolicy()).isEqualTo(fromUpstream);
    assertThat(plan.peers().get(1).importPolicy()).isEqualTo(RoutePolicy.REJECT_ALL);
    assertThat(plan.clusterId()).isEqualTo(InetAddress.ofLiteral("10.0.0.99"));
    assertThat(plan.admin()).isEqualTo(UnixDomainSocketAddress.of("/tmp/netctl-test.sock"));

    // The prefixes shorthand: accept exactly the listed entries, reject the rest.
    RoutePolicy shorthand = plan.peers().get(1).exportPolicy();
    AttributeSet attrs =
        AttributeSet.of(
            List.of(new PathAttribute.Origin(PathAttribute.OriginType.IGP)),
            InetAddress.ofLiteral("192.0.2.1"));
    assertThat(shorthand.apply(Prefix.parse("10.244.3.0/24"), attrs, PolicyContext.NONE))
        .contains(attrs);
    assertThat(shorthand.apply(Prefix.parse("10.244.0.0/16"), attrs, PolicyContext.NONE)).isEmpty();
  }

  @Test
  void policyFieldsAreOptionalWithDocumentedDefaults() {
    String yaml =
        HEAD
            + """
            policies:
              tag-only:
                statements:
                  - actions: {communities: {add: ["65001:9"]}}
            peers: [{address: 127.0.0.3, asNumber: 65002, export: tag-only}]
            """;
    RoutePolicy p = SpeakerConfigReader.parse("s.yaml", yaml, true).peers().get(0).exportPolicy();
    assertThat(p)
        .as("then defaults to next, default to reject")
        .isEqualTo(
            new Policy(
                "tag-only",
                List.of(
                    new Statement(
                        List.of(),
                        List.of(
                            new Action.SetCommunities(
                                ListOp.ADD, List.of(Community.parse("65001:9")))),
                        Verdict.CONTINUE)),
                Verdict.REJECT));
  }

  @Test
  void everyBadPolicyValueIsReportedWithItsFieldPath() {
    String yaml =
        HEAD
            + """
            clusterId: "2001:db8::1"
            definedSets:
              prefixSets:
                narrow: [10.0.0.0/8 ge 4]
                crossed: [{prefix: 10.0.0.0/8, ge: 30, le: 20}]
                empty: []
              communitySets:
                c: ["1:2:3"]
              largeCommunitySets:
                l: ["1:2"]
            policies:
              accept-all: {statements: []}
              "bad name": {statements: []}
              p:
                default: drop
                statements:
                  - match: {prefixSet: nope, communitySet: nope, largeCommunitySet: nope}
                    then: maybe
                  - match:
                      asPathLength: {ge: 5, le: 2}
                      neighborAs: 4294967296
                      not: {asPathContains: 1, neighborAs: 2}
                  - actions:
                      localPref: -1
                      med: 4294967296
                      nextHop: selff
                      asPathPrepend: {repeat: 40}
                      communities: {}
                      largeCommunities: {add: ["1:2:x"]}
            peers:
              - {address: 127.0.0.3, asNumber: 65002, import: p, export: foo}
              - {address: 127.0.0.4, asNumber: 65002, export: {action: p, prefixes: [10.0.0.0/8]}}
            """;
    assertThatThrownBy(() -> SpeakerConfigReader.parse("s.yaml", yaml, true))
        .isInstanceOfSatisfying(
            SpeakerConfigException.class,
            e ->
                assertThat(e.violations())
                    .as("a reference to the declared-but-invalid policy p is not reported again")
                    .containsExactlyInAnyOrder(
                        "s.yaml: definedSets.prefixSets.narrow[0]: \"10.0.0.0/8 ge 4\" is not a"
                            + " prefix-list entry (PREFIX [ge N] [le M]): prefix range 10.0.0.0/8"
                            + " ge 4 le 32: need 8 <= ge <= le <= 32",
                        "s.yaml: definedSets.prefixSets.crossed[0]: \"10.0.0.0/8 ge 30 le 20\""
                            + " must satisfy 8 <= ge <= le <= 32",
                        "s.yaml: definedSets.prefixSets.empty: \"[]\" must list at least one"
                            + " member",
                        "s.yaml: definedSets.communitySets.c[0]: \"1:2:3\" must be ASN:VALUE"
                            + " with both parts 0..65535 (RFC 1997) or one of [blackhole,"
                            + " graceful-shutdown, no-advertise, no-export, no-export-subconfed]",
                        "s.yaml: definedSets.largeCommunitySets.l[0]: \"1:2\" must be"
                            + " GLOBAL:LOCAL1:LOCAL2 with each part 0..4294967295 (RFC 8092)",
                        "s.yaml: policies.accept-all: \"accept-all\" is a built-in policy name;"
                            + " choose another",
                        "s.yaml: policies.bad name: \"bad name\" is not a valid name: letters,"
                            + " digits, '-' and '_', starting with a letter or digit, at most 63"
                            + " characters",
                        "s.yaml: policies.p.default: \"drop\" must be accept or reject",
                        "s.yaml: policies.p.statements[0].then: \"maybe\" must be accept, reject"
                            + " or next",
                        "s.yaml: policies.p.statements[0].match.prefixSet: \"nope\" is not a"
                            + " defined prefixSet (definedSets.prefixSets: none)",
                        "s.yaml: policies.p.statements[0].match.communitySet: \"nope\" is not a"
                            + " defined communitySet (definedSets.communitySets: none)",
                        "s.yaml: policies.p.statements[0].match.largeCommunitySet: \"nope\" is"
                            + " not a defined largeCommunitySet (definedSets.largeCommunitySets:"
                            + " none)",
                        "s.yaml: policies.p.statements[1].match.neighborAs: \"4294967296\" must"
                            + " be an AS number 0..4294967295",
                        "s.yaml: policies.p.statements[1].match.asPathLength: \"ge 5 le 2\""
                            + " must satisfy 0 <= ge <= le",
                        "s.yaml: policies.p.statements[1].match.not: \"2 conditions\" must hold"
                            + " exactly one condition to negate",
                        "s.yaml: policies.p.statements[2].actions.localPref: \"-1\" must be"
                            + " 0..4294967295",
                        "s.yaml: policies.p.statements[2].actions.med: \"4294967296\" must be"
                            + " 0..4294967295",
                        "s.yaml: policies.p.statements[2].actions.nextHop: \"selff\" must be"
                            + " self, keep or an IP address",
                        "s.yaml: policies.p.statements[2].actions.asPathPrepend.repeat: \"40\""
                            + " must be 1..32",
                        "s.yaml: policies.p.statements[2].actions.communities: \"{}\" must have"
                            + " set, add or remove",
                        "s.yaml: policies.p.statements[2].actions.largeCommunities.add[0]:"
                            + " \"1:2:x\" must be GLOBAL:LOCAL1:LOCAL2 with each part"
                            + " 0..4294967295 (RFC 8092)",
                        "s.yaml: clusterId: \"2001:db8::1\" must be an IPv4 address (RFC 4456 §8:"
                            + " a 4-octet id)",
                        "s.yaml: peers[0].export: \"foo\" is not a defined policy (accept-all,"
                            + " reject-all, p)",
                        "s.yaml: peers[1].export: \"p\" must be either a policy name or a"
                            + " prefixes list, not both"));
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
}
