package dev.netctl.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ValidatorTest {

  private static final ResourceCodec CODEC = new ResourceCodec();

  /** Builds a resource from its kind, name and a flow-style YAML spec. */
  private static Resource res(String kind, String name, String spec) {
    return CODEC.readOne(
        "apiVersion: netctl.dev/v1\nkind: "
            + kind
            + "\nmetadata:\n  name: '"
            + name
            + "'\nspec: "
            + spec
            + "\n");
  }

  private static Arguments bad(
      String kind, String name, String spec, String field, String value, String rule) {
    return Arguments.of(res(kind, name, spec), field, value, rule);
  }

  static Stream<Arguments> invalidResources() {
    return Stream.of(
        // IPPool
        bad(
            "IPPool",
            "p",
            "{cidr: 10.0.0.1/24}",
            "spec.cidr",
            "10.0.0.1/24",
            "must have all host bits zero"),
        bad("IPPool", "p", "{cidr: 10.0.0.0}", "spec.cidr", "10.0.0.0", "must be a CIDR"),
        bad("IPPool", "p", "{cidr: 10.0.0.300/24}", "spec.cidr", "10.0.0.300/24", "must be a CIDR"),
        bad(
            "IPPool",
            "p",
            "{cidr: '::ffff:10.0.0.0/120'}",
            "spec.cidr",
            "::ffff:10.0.0.0/120",
            "must not be an IPv4-mapped IPv6 address (::ffff:a.b.c.d): give the IPv4 address"),
        bad("IPPool", "p", "{blockSize: 26}", "spec.cidr", "<none>", "is required"),
        bad(
            "IPPool",
            "p",
            "{cidr: 10.0.0.0/16, blockSize: 19}",
            "spec.blockSize",
            "19",
            "must be 20-32 for an IPv4 pool"),
        bad(
            "IPPool",
            "p",
            "{cidr: 10.0.0.0/16, blockSize: 33}",
            "spec.blockSize",
            "33",
            "must be 20-32 for an IPv4 pool"),
        bad(
            "IPPool",
            "p",
            "{cidr: 'fd00::/48', blockSize: 115}",
            "spec.blockSize",
            "115",
            "must be 116-128 for an IPv6 pool"),
        bad(
            "IPPool",
            "p",
            "{cidr: 10.0.0.0/26, blockSize: 24}",
            "spec.blockSize",
            "24",
            "must be at least the CIDR prefix length 26"),
        bad(
            "IPPool",
            "p",
            "{cidr: 10.0.0.0/16, ipipMode: Always, vxlanMode: CrossSubnet}",
            "spec.vxlanMode",
            "CrossSubnet",
            "must be Never when spec.ipipMode is Always"),
        bad(
            "IPPool",
            "p",
            "{cidr: 'fd00::/48', ipipMode: CrossSubnet}",
            "spec.ipipMode",
            "CrossSubnet",
            "must be Never for an IPv6 pool"),
        bad(
            "IPPool",
            "p",
            "{cidr: 169.254.0.0/20}",
            "spec.cidr",
            "169.254.0.0/20",
            "must not overlap the link-local range 169.254.0.0/16"),
        bad(
            "IPPool",
            "p",
            "{cidr: 'fe80::/64'}",
            "spec.cidr",
            "fe80::/64",
            "must not overlap the link-local range fe80::/10"),
        // No interface takes a multicast or loopback address, nor one of 0.0.0.0/8 (RFC 1122
        // 3.2.1.3): a pool there hands pods addresses that cannot work.
        bad(
            "IPPool",
            "p",
            "{cidr: 239.1.0.0/16}",
            "spec.cidr",
            "239.1.0.0/16",
            "must not overlap the multicast range 224.0.0.0/4 (no interface can take such an"
                + " address)"),
        bad(
            "IPPool",
            "p",
            "{cidr: 'ff02::/64'}",
            "spec.cidr",
            "ff02::/64",
            "must not overlap the multicast range ff00::/8"),
        bad(
            "IPPool",
            "p",
            "{cidr: 127.0.0.0/16}",
            "spec.cidr",
            "127.0.0.0/16",
            "must not overlap the loopback range 127.0.0.0/8"),
        bad(
            "IPPool",
            "p",
            "{cidr: '::1/128', blockSize: 128}",
            "spec.cidr",
            "::1/128",
            "must not overlap the loopback address ::1/128"),
        bad(
            "IPPool",
            "p",
            "{cidr: 0.0.0.0/16}",
            "spec.cidr",
            "0.0.0.0/16",
            "must not overlap 0.0.0.0/8 (\"this network\", never a host's address)"),
        bad(
            "IPPool",
            "p",
            "{cidr: 192.0.0.0/2}",
            "spec.cidr",
            "192.0.0.0/2",
            "must not overlap the multicast range 224.0.0.0/4"),
        bad(
            "IPPool",
            "p",
            "{cidr: 10.0.0.0/16, nodeSelector: 'role == '}",
            "spec.nodeSelector",
            "role == ",
            "must be a valid selector (column 9: expected a quoted value)"),
        bad(
            "IPPool",
            "Pool_A",
            "{cidr: 10.0.0.0/16}",
            "metadata.name",
            "Pool_A",
            "must be a DNS-1123 subdomain"),
        bad(
            "IPPool",
            "p",
            "{cidr: 10.0.0.0/16, allowedUses: [Workload, Workload]}",
            "spec.allowedUses[1]",
            "Workload",
            "must not repeat an earlier use"),
        bad(
            "IPPool",
            "p",
            "{cidr: 10.0.0.0/16, allowedUses: [LoadBalancer, Tunnel]}",
            "spec.allowedUses",
            "[LoadBalancer, Tunnel]",
            "must not combine LoadBalancer with other uses"),
        // BGPPeer
        bad(
            "BGPPeer",
            "peer",
            "{peerIP: '10.0.0.1:70000', asNumber: 65001}",
            "spec.peerIP",
            "10.0.0.1:70000",
            "optionally with a port 1-65535"),
        bad(
            "BGPPeer",
            "peer",
            "{peerIP: '::ffff:192.0.2.5', asNumber: 65001}",
            "spec.peerIP",
            "::ffff:192.0.2.5",
            "must not be an IPv4-mapped IPv6 address"),
        bad(
            "BGPPeer",
            "peer",
            "{peerIP: '[::ffff:192.0.2.5]:1179', asNumber: 65001}",
            "spec.peerIP",
            "[::ffff:192.0.2.5]:1179",
            "must not be an IPv4-mapped IPv6 address"),
        bad(
            "BGPPeer",
            "peer",
            "{peerIP: router.example.com, asNumber: 65001}",
            "spec.peerIP",
            "router.example.com",
            "must be an IP address"),
        bad(
            "BGPPeer",
            "peer",
            "{peerIP: '[10.0.0.1]:179', asNumber: 65001}",
            "spec.peerIP",
            "[10.0.0.1]:179",
            "must be an IP address"),
        bad(
            "BGPPeer",
            "peer",
            "{peerIP: 10.0.0.1, asNumber: 0}",
            "spec.asNumber",
            "0",
            "must be an AS number 1-4294967295"),
        bad(
            "BGPPeer",
            "peer",
            "{peerIP: 10.0.0.1, asNumber: 4294967296}",
            "spec.asNumber",
            "4294967296",
            "must be an AS number 1-4294967295"),
        bad(
            "BGPPeer",
            "peer",
            "{peerIP: 10.0.0.1}",
            "spec.asNumber",
            "<none>",
            "is required with spec.peerIP"),
        bad(
            "BGPPeer",
            "peer",
            "{node: n1, nodeSelector: 'rack == \"a\"', peerIP: 10.0.0.1, asNumber: 65001}",
            "spec.nodeSelector",
            "rack == \"a\"",
            "must be empty when spec.node is set"),
        bad(
            "BGPPeer",
            "peer",
            "{peerSelector: 'has(rr)', peerIP: 10.0.0.1}",
            "spec.peerIP",
            "10.0.0.1",
            "must be empty when spec.peerSelector is set"),
        bad(
            "BGPPeer",
            "peer",
            "{peerSelector: 'has(rr)', asNumber: 65001}",
            "spec.asNumber",
            "65001",
            "must be empty when spec.peerSelector is set"),
        bad(
            "BGPPeer",
            "peer",
            "{peerSelector: 'has(rr'}",
            "spec.peerSelector",
            "has(rr",
            "must be a valid selector (column 7: expected ')' after the label key)"),
        bad(
            "BGPPeer",
            "peer",
            "{peerIP: 10.0.0.1, asNumber: 65001, maxRestartTime: 2 minutes}",
            "spec.maxRestartTime",
            "2 minutes",
            "must be a duration such as 120s"),
        // Beyond Go's int64 nanoseconds: a named error, not an ArithmeticException escaping.
        bad(
            "BGPPeer",
            "peer",
            "{peerIP: 10.0.0.1, asNumber: 65001, maxRestartTime: 9999999h}",
            "spec.maxRestartTime",
            "9999999h",
            "must be a duration such as 120s"),
        bad(
            "BGPPeer",
            "peer",
            "{peerIP: 10.0.0.1, asNumber: 65001, keepaliveTime: 0s}",
            "spec.keepaliveTime",
            "0s",
            "must be a duration of whole seconds from 1s to 65535s"),
        bad(
            "BGPPeer",
            "peer",
            "{peerIP: 10.0.0.1, asNumber: 65001, keepaliveTime: 1500ms}",
            "spec.keepaliveTime",
            "1500ms",
            "must be a duration of whole seconds from 1s to 65535s"),
        bad(
            "BGPPeer",
            "peer",
            // quoted: unquoted, 20 is a number, which the codec refuses before any rule
            "{peerIP: 10.0.0.1, asNumber: 65001, keepaliveTime: '20'}",
            "spec.keepaliveTime",
            "20",
            "must be a duration of whole seconds from 1s to 65535s"),
        bad(
            "BGPPeer",
            "peer",
            "{peerIP: 10.0.0.1, asNumber: 65001, numAllowedLocalASNumbers: 256}",
            "spec.numAllowedLocalASNumbers",
            "256",
            "must be 0-255"),
        bad(
            "BGPPeer",
            "peer",
            "{peerIP: 10.0.0.1, asNumber: 65001, numAllowedLocalASNumbers: -1}",
            "spec.numAllowedLocalASNumbers",
            "-1",
            "must be 0-255"),
        bad(
            "BGPPeer",
            "peer",
            "{peerIP: 10.0.0.1, asNumber: 65001, ttlSecurity: 300}",
            "spec.ttlSecurity",
            "300",
            "must be 0-255"),
        bad(
            "BGPPeer",
            "peer",
            "{peerIP: 10.0.0.1, asNumber: 65001, password: {secretKeyRef: {name: bgp}}}",
            "spec.password.secretKeyRef.key",
            "<none>",
            "is required"),
        bad(
            "BGPPeer",
            "peer",
            "{peerIP: 10.0.0.1, asNumber: 65001, keepOriginalNextHop: true, nextHopMode: Self}",
            "spec.nextHopMode",
            "Self",
            "must be empty when spec.keepOriginalNextHop is set"),
        // BGPConfiguration
        bad(
            "BGPConfiguration",
            "default",
            "{nodeMeshMaxRestartTime: 2 minutes}",
            "spec.nodeMeshMaxRestartTime",
            "2 minutes",
            "must be a duration such as 120s"),
        bad(
            "BGPConfiguration",
            "default",
            "{nodeMeshPassword: {secretKeyRef: {key: pw}}}",
            "spec.nodeMeshPassword.secretKeyRef.name",
            "<none>",
            "is required"),
        bad(
            "BGPConfiguration",
            "default",
            "{nodeToNodeMeshEnabled: false, nodeMeshMaxRestartTime: 60s}",
            "spec.nodeMeshMaxRestartTime",
            "60s",
            "needs the node-to-node mesh: spec.nodeToNodeMeshEnabled is false"),
        bad(
            "BGPConfiguration",
            "default",
            "{nodeToNodeMeshEnabled: false, nodeMeshPassword: {secretKeyRef: {name: a, key: b}}}",
            "spec.nodeMeshPassword",
            "(secret reference)",
            "needs the node-to-node mesh"),
        bad(
            "BGPConfiguration",
            "default",
            "{bindMode: None}",
            "spec.bindMode",
            "None",
            "must be NodeIP: netctl's BGP listens on the node's addresses only"),
        bad(
            "BGPConfiguration",
            "node.n1",
            "{nodeMeshMaxRestartTime: 60s}",
            "spec.nodeMeshMaxRestartTime",
            "60s",
            "may only be set in the 'default' BGPConfiguration"),
        bad(
            "BGPConfiguration",
            "default",
            "{routeReflectorClientRanges: [{cidr: 10.0.0.1/16}]}",
            "spec.routeReflectorClientRanges[0].cidr",
            "10.0.0.1/16",
            "must have all host bits zero"),
        bad(
            "BGPConfiguration",
            "default",
            "{routeReflectorClientRanges: [{limit: 10}]}",
            "spec.routeReflectorClientRanges[0].cidr",
            "<none>",
            "is required"),
        bad(
            "BGPConfiguration",
            "default",
            "{routeReflectorClientRanges: [{cidr: 10.0.0.0/16, limit: 0}]}",
            "spec.routeReflectorClientRanges[0].limit",
            "0",
            "must be 1-100000"),
        bad(
            "BGPConfiguration",
            "default",
            "{listenPort: 0}",
            "spec.listenPort",
            "0",
            "must be 1-65535"),
        bad(
            "BGPConfiguration",
            "default",
            "{listenPort: 70000}",
            "spec.listenPort",
            "70000",
            "must be 1-65535"),
        bad(
            "BGPConfiguration",
            "default",
            "{asNumber: 4294967296}",
            "spec.asNumber",
            "4294967296",
            "must be an AS number 1-4294967295"),
        bad(
            "BGPConfiguration",
            "default",
            "{serviceClusterIPs: [{cidr: 10.96.0.0/33}]}",
            "spec.serviceClusterIPs[0].cidr",
            "10.96.0.0/33",
            "must be a CIDR"),
        // Calico's "net" rule for all three service lists alike: host bits refused.
        bad(
            "BGPConfiguration",
            "default",
            "{serviceClusterIPs: [{cidr: 10.96.0.1/12}]}",
            "spec.serviceClusterIPs[0].cidr",
            "10.96.0.1/12",
            "must have all host bits zero (did you mean 10.96.0.0/12?)"),
        bad(
            "BGPConfiguration",
            "default",
            "{serviceExternalIPs: [{cidr: 203.0.113.9/24}]}",
            "spec.serviceExternalIPs[0].cidr",
            "203.0.113.9/24",
            "must have all host bits zero (did you mean 203.0.113.0/24?)"),
        bad(
            "BGPConfiguration",
            "default",
            "{serviceLoadBalancerIPs: [{cidr: 'fd00:1::5/64'}]}",
            "spec.serviceLoadBalancerIPs[0].cidr",
            "fd00:1::5/64",
            "must have all host bits zero (did you mean fd00:1::/64?)"),
        bad(
            "BGPConfiguration",
            "cluster",
            "{}",
            "metadata.name",
            "cluster",
            "must be 'default' or 'node.<nodename>'"),
        bad(
            "BGPConfiguration",
            "default",
            "{communities: [{name: big, value: '65536:1'}]}",
            "spec.communities[0].value",
            "65536:1",
            "must be a community aa:nn"),
        bad(
            "BGPConfiguration",
            "default",
            "{logSeverityScreen: Verbose}",
            "spec.logSeverityScreen",
            "Verbose",
            "must be one of Debug, Info"),
        bad(
            "BGPConfiguration",
            "node.n1",
            "{nodeToNodeMeshEnabled: false}",
            "spec.nodeToNodeMeshEnabled",
            "false",
            "may only be set in the 'default' BGPConfiguration"),
        bad(
            "BGPConfiguration",
            "default",
            "{prefixAdvertisements: [{cidr: 10.0.0.0/8, communities: [no-such-name]}]}",
            "spec.prefixAdvertisements[0].communities[0]",
            "no-such-name",
            "must name a community in spec.communities"),
        // Node
        bad(
            "Node",
            "n1",
            "{bgp: {ipv4Address: 10.0.0.256/24}}",
            "spec.bgp.ipv4Address",
            "10.0.0.256/24",
            "must be an IPv4 address, optionally with a prefix length"),
        bad(
            "Node",
            "n1",
            "{bgp: {ipv4Address: 'fd00::1/64'}}",
            "spec.bgp.ipv4Address",
            "fd00::1/64",
            "must be an IPv4 address"),
        bad(
            "Node",
            "n1",
            "{bgp: {ipv6Address: 10.0.0.1}}",
            "spec.bgp.ipv6Address",
            "10.0.0.1",
            "must be an IPv6 address"),
        bad(
            "Node",
            "n1",
            "{bgp: {ipv4Address: 10.0.0.1/24, asNumber: 0}}",
            "spec.bgp.asNumber",
            "0",
            "must be an AS number 1-4294967295"),
        bad(
            "Node",
            "n1",
            "{bgp: {ipv4Address: 10.0.0.1/24, routeReflectorClusterID: rr1}}",
            "spec.bgp.routeReflectorClusterID",
            "rr1",
            "must be a dotted-quad cluster ID"),
        bad(
            "Node",
            "n1",
            "{vxlanTunnelMACAddr: 'ee:ee:ee:ee:ee'}",
            "spec.vxlanTunnelMACAddr",
            "ee:ee:ee:ee:ee",
            "must be a MAC address"),
        bad(
            "Node",
            "n1",
            "{ipv4VXLANTunnelAddr: 10.0.0.1/32}",
            "spec.ipv4VXLANTunnelAddr",
            "10.0.0.1/32",
            "must be an IPv4 address"),
        bad(
            "Node",
            "n1.example.com-",
            "{}",
            "metadata.name",
            "n1.example.com-",
            "must be a DNS-1123 subdomain"),
        // IPAMConfig
        bad(
            "IPAMConfig",
            "default",
            "{maxBlocksPerHost: -1}",
            "spec.maxBlocksPerHost",
            "-1",
            "must be 0 (unlimited) or more"),
        bad("IPAMConfig", "other", "{}", "metadata.name", "other", "must be 'default'"));
  }

  @ParameterizedTest(name = "[{index}] {1} = {2}")
  @MethodSource("invalidResources")
  void invalidResourceIsReportedWithFieldValueAndRule(
      Resource r, String field, String value, String rule) {
    List<Violation> violations = Validator.validate(r);

    assertThat(violations)
        .as("violations of %s", r)
        .anySatisfy(
            v -> {
              assertThat(v.field()).isEqualTo(field);
              assertThat(v.value()).isEqualTo(value);
              assertThat(v.rule()).contains(rule);
            });
    assertThatThrownBy(() -> Validator.check(r))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining(r.kind().name() + " \"" + r.name() + "\"")
        .hasMessageContaining(field)
        .hasMessageContaining("\"" + value + "\"")
        .hasMessageContaining(rule);
  }

  @Test
  void tableHoldsAtLeastTwentyFiveDistinctInvalidResources() {
    assertThat(invalidResources().map(a -> a.get()[0]).distinct().count())
        .isGreaterThanOrEqualTo(25);
  }

  static Stream<Resource> validResources() {
    return Stream.of(
        res("IPPool", "default-ipv4", "{cidr: 10.244.0.0/16}"),
        res("IPPool", "v6", "{cidr: 'fd00:10:244::/48', vxlanMode: CrossSubnet}"),
        res("IPPool", "tiny", "{cidr: 192.168.7.0/26, blockSize: 26, ipipMode: Always}"),
        res("IPPool", "hosts", "{cidr: 10.1.0.0/24, blockSize: 32, nodeSelector: '!has(edge)'}"),
        res("IPPool", "lb", "{cidr: 10.2.0.0/24, allowedUses: [LoadBalancer]}"),
        res("BGPPeer", "tor", "{peerIP: '10.0.0.1:1790', asNumber: 65001}"),
        res("BGPPeer", "tor6", "{peerIP: '[fd00::1]:1790', asNumber: 1.10, node: n1}"),
        res("BGPPeer", "plain6", "{peerIP: 'fd00::1', asNumber: 4294967295}"),
        // Calico's explicit default (its CRD has no minimum; 0 writes no "allow local as").
        res(
            "BGPPeer",
            "loopfree",
            "{peerIP: 10.0.0.2, asNumber: 65001, numAllowedLocalASNumbers: 0}"),
        res(
            "BGPPeer",
            "rr",
            "{nodeSelector: '!has(rr)', peerSelector: 'has(rr)', maxRestartTime: 2m30s,"
                + " ttlSecurity: 1, password: {secretKeyRef: {name: bgp, key: pw}},"
                + " filters: [export-only], keepaliveTime: 1m, numAllowedLocalASNumbers: 1}"),
        res(
            "BGPConfiguration",
            "default",
            "{asNumber: 64513, nodeToNodeMeshEnabled: true, listenPort: 1179,"
                + " logSeverityScreen: Debug, serviceClusterIPs: [{cidr: 10.96.0.0/12}],"
                + " communities: [{name: gold, value: '65001:100'},"
                + " {name: large, value: '4200000000:1:2'}],"
                + " prefixAdvertisements: [{cidr: 10.96.0.0/12, communities: [gold, '65001:7']}],"
                + " nodeMeshPassword: {secretKeyRef: {name: bgp, key: mesh}},"
                + " nodeMeshMaxRestartTime: 2m30s, bindMode: NodeIP}"),
        res("BGPConfiguration", "node.n1", "{listenPort: 1790}"),
        // a single address is a /32 or /128, as in Calico
        res(
            "BGPConfiguration",
            "default",
            "{serviceClusterIPs: [{cidr: 10.96.0.10}], serviceExternalIPs: [{cidr: 'fd00::7'}],"
                + " serviceLoadBalancerIPs: [{cidr: 198.51.100.0/24}]}"),
        res(
            "Node",
            "n1",
            "{bgp: {ipv4Address: 10.0.0.5/24, ipv6Address: 'fd00::5/64', asNumber: 65010,"
                + " routeReflectorClusterID: 224.0.0.1}, ipv4VXLANTunnelAddr: 10.244.3.0,"
                + " vxlanTunnelMACAddr: '66:0f:9a:00:11:22'}"),
        res("Node", "bare-ip", "{bgp: {ipv4Address: 10.0.0.6}}"),
        res("IPAMConfig", "default", "{strictAffinity: true, maxBlocksPerHost: 4}"));
  }

  @ParameterizedTest
  @MethodSource("validResources")
  void validResourceHasNoViolations(Resource r) {
    assertThat(Validator.validate(r)).as("%s", r).isEmpty();
  }

  @Test
  void labelsMustBeValidKeysAndValues() {
    IPPool p =
        new IPPool(
            ObjectMeta.named("p", java.util.Map.of("app", "-bad", "Bad_Prefix/key", "x")),
            IPPoolSpec.of("10.0.0.0/16"));
    assertThat(Validator.validate(p))
        .extracting(Violation::field, Violation::value)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("metadata.labels[app]", "-bad"),
            org.assertj.core.groups.Tuple.tuple("metadata.labels", "Bad_Prefix/key"));
  }

  @Test
  void poolMustNotOverlapAnotherStoredPool() {
    IPPool existing = IPPool.of("a", IPPoolSpec.of("10.0.0.0/16"));
    IPPool inside = IPPool.of("b", IPPoolSpec.of("10.0.128.0/20"));
    IPPool enclosing = IPPool.of("c", IPPoolSpec.of("10.0.0.0/8"));
    IPPool apart = IPPool.of("d", IPPoolSpec.of("10.1.0.0/16"));
    IPPool v6 = IPPool.of("e", IPPoolSpec.of("fd00::/48"));

    assertThat(Validator.validate(inside, null, List.of(existing)))
        .singleElement()
        .satisfies(
            v ->
                assertThat(v.message())
                    .contains("spec.cidr", "10.0.128.0/20", "must not overlap IPPool \"a\""));
    assertThat(Validator.validate(enclosing, null, List.of(existing))).hasSize(1);
    assertThat(Validator.validate(apart, null, List.of(existing))).isEmpty();
    assertThat(Validator.validate(v6, null, List.of(existing))).isEmpty();
  }

  @Test
  void poolIsNotComparedWithItsOwnStoredVersion() {
    IPPool stored = IPPool.of("a", IPPoolSpec.of("10.0.0.0/16"));
    IPPool updated = IPPool.of("a", IPPoolSpec.of("10.0.0.0/16").withNatOutgoing(true));
    assertThat(Validator.validate(updated, stored, List.of(stored))).isEmpty();
  }

  @Test
  void poolCidrAndBlockSizeAreImmutable() {
    IPPool stored = IPPool.of("a", IPPoolSpec.of("10.0.0.0/16"));
    IPPool movedCidr = IPPool.of("a", IPPoolSpec.of("10.1.0.0/16"));
    IPPool newBlocks = IPPool.of("a", IPPoolSpec.of("10.0.0.0/16").withBlockSize(28));

    assertThat(Validator.validate(movedCidr, stored, List.of()))
        .singleElement()
        .satisfies(
            v ->
                assertThat(v.message())
                    .contains("spec.cidr", "10.1.0.0/16", "cannot be changed (was 10.0.0.0/16)"));
    assertThat(Validator.validate(newBlocks, stored, List.of()))
        .singleElement()
        .satisfies(
            v -> assertThat(v.message()).contains("spec.blockSize", "28", "cannot be changed"));
  }

  @Test
  void poolCidrSpelledAnotherWayIsNotAChange() {
    IPPool stored = IPPool.of("a", IPPoolSpec.of("fd00::/64"));
    IPPool respelled = (IPPool) res("IPPool", "a", "{cidr: 'FD00:0:0:0::/64'}");
    assertThat(Validator.validate(respelled, stored, List.of(stored))).isEmpty();
  }

  @Test
  void everyViolationOfOneResourceIsReported() {
    Resource r = res("IPPool", "p", "{cidr: 'fd00::1/48', blockSize: 100, ipipMode: Always}");
    assertThat(Validator.validate(r))
        .extracting(Violation::field)
        .containsExactlyInAnyOrder("spec.cidr", "spec.blockSize", "spec.ipipMode");
  }
}
