package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every invalid manifest is refused with a message naming the resource, the field, the value and
 * the rule, and nothing at all is written: the whole store (every kind, with revisions) is the same
 * afterwards.
 */
@Timeout(120)
class InvalidInputTest {

  @TempDir Path dir;
  String spec;
  Cli cli;

  /**
   * One invalid input.
   *
   * @param file the manifest
   * @param stateful whether the rule needs the stored objects (validate cannot see it)
   * @param expected fragments stderr must contain: resource, field, value, rule
   */
  record Case(String name, String file, boolean stateful, List<String> expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final String STORED =
      """
      apiVersion: netctl.dev/v1
      kind: IPPool
      metadata:
        name: base
        labels:
          tier: gold
      spec:
        cidr: 10.0.0.0/16
      ---
      apiVersion: netctl.dev/v1
      kind: Node
      metadata:
        name: n1
      spec:
        bgp:
          ipv4Address: 192.168.1.1/24
      """;

  @BeforeEach
  void seed() {
    spec = "embedded:" + dir.resolve("store.db");
    cli = new Cli(spec);
    Cli.Run r = cli.runWithStdin(STORED, "apply", "-f", "-");
    assertThat(r.exitCode()).as(r.toString()).isZero();
  }

  static String pool(String name, String specYaml) {
    return "apiVersion: netctl.dev/v1\nkind: IPPool\nmetadata:\n  name: "
        + name
        + "\nspec:\n"
        + specYaml.indent(2);
  }

  static String doc(String kind, String name, String specYaml) {
    return "apiVersion: netctl.dev/v1\nkind: "
        + kind
        + "\nmetadata:\n  name: "
        + name
        + "\nspec:\n"
        + specYaml.indent(2);
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "cidr not a CIDR",
            pool("p", "cidr: 10.0.0.0/33"),
            false,
            List.of("IPPool \"p\"", "spec.cidr", "10.0.0.0/33", "must be a CIDR")),
        new Case(
            "cidr host bits",
            pool("p", "cidr: 10.1.0.1/16"),
            false,
            List.of("IPPool \"p\"", "spec.cidr", "10.1.0.1/16", "host bits zero")),
        new Case(
            "blockSize out of range",
            pool("p", "cidr: 10.1.0.0/16\nblockSize: 40"),
            false,
            List.of("IPPool \"p\"", "spec.blockSize", "40", "must be 20-32")),
        new Case(
            "blockSize shorter than cidr",
            pool("p", "cidr: 10.1.0.0/24\nblockSize: 20"),
            false,
            List.of("IPPool \"p\"", "spec.blockSize", "20", "at least the CIDR prefix length")),
        new Case(
            "two encapsulations",
            pool("p", "cidr: 10.1.0.0/16\nipipMode: Always\nvxlanMode: Always"),
            false,
            List.of("IPPool \"p\"", "spec.vxlanMode", "Always", "must be Never when")),
        new Case(
            "ipip on IPv6",
            pool("p6", "cidr: fd00::/48\nipipMode: Always"),
            false,
            List.of("IPPool \"p6\"", "spec.ipipMode", "Always", "IPv4-only")),
        new Case(
            "link-local pool",
            pool("ll", "cidr: 169.254.0.0/16"),
            false,
            List.of("IPPool \"ll\"", "spec.cidr", "169.254.0.0/16", "link-local")),
        new Case(
            "bad node selector",
            pool("p", "cidr: 10.1.0.0/16\nnodeSelector: \"rack ==\""),
            false,
            List.of("IPPool \"p\"", "spec.nodeSelector", "rack ==", "valid selector")),
        new Case(
            "LoadBalancer combined",
            pool("p", "cidr: 10.1.0.0/16\nallowedUses: [LoadBalancer, Workload]"),
            false,
            List.of("IPPool \"p\"", "spec.allowedUses", "LoadBalancer", "must not combine")),
        new Case(
            "unknown enum value",
            pool("p", "cidr: 10.1.0.0/16\nipipMode: Sometimes"),
            false,
            List.of("IPPool \"p\"", "spec.ipipMode", "Sometimes", "must be one of")),
        new Case(
            "unknown field",
            pool("p", "cidr: 10.1.0.0/16\nnatOutgoin: true"),
            false,
            List.of("IPPool \"p\"", "spec.natOutgoin", "is not a known field")),
        new Case(
            "blockSize not a number",
            pool("p", "cidr: 10.1.0.0/16\nblockSize: big"),
            false,
            List.of("IPPool \"p\"", "spec.blockSize", "big", "must be an integer")),
        new Case(
            "name not DNS-1123",
            pool("Bad_Name", "cidr: 10.1.0.0/16"),
            false,
            List.of("IPPool \"Bad_Name\"", "metadata.name", "Bad_Name", "DNS-1123")),
        new Case(
            "bad label value",
            "apiVersion: netctl.dev/v1\nkind: IPPool\nmetadata:\n  name: p\n  labels:\n"
                + "    tier: \"gold!\"\nspec:\n  cidr: 10.1.0.0/16\n",
            false,
            List.of("IPPool \"p\"", "metadata.labels[tier]", "gold!", "label value")),
        new Case(
            "peer without address",
            doc("BGPPeer", "peer1", "node: n1"),
            false,
            List.of("BGPPeer \"peer1\"", "spec.peerIP", "<none>", "is required")),
        new Case(
            "peer AS zero",
            doc("BGPPeer", "peer1", "peerIP: 192.168.1.2\nasNumber: 0"),
            false,
            List.of("BGPPeer \"peer1\"", "spec.asNumber", "0", "AS number")),
        new Case(
            "peer bad address",
            doc("BGPPeer", "peer1", "peerIP: 300.1.1.1\nasNumber: 65001"),
            false,
            List.of("BGPPeer \"peer1\"", "spec.peerIP", "300.1.1.1", "must be an IP address")),
        new Case(
            "peer ttlSecurity",
            doc("BGPPeer", "peer1", "peerIP: 192.168.1.2\nasNumber: 65001\nttlSecurity: 300"),
            false,
            List.of("BGPPeer \"peer1\"", "spec.ttlSecurity", "300", "0-255")),
        new Case(
            "peer restart time",
            doc(
                "BGPPeer",
                "peer1",
                "peerIP: 192.168.1.2\nasNumber: 65001\nmaxRestartTime: forever"),
            false,
            List.of("BGPPeer \"peer1\"", "spec.maxRestartTime", "forever", "duration")),
        new Case(
            "bgpconfig name",
            doc("BGPConfiguration", "other", "asNumber: 65000"),
            false,
            List.of("BGPConfiguration \"other\"", "metadata.name", "other", "'default'")),
        new Case(
            "bgpconfig port",
            doc("BGPConfiguration", "default", "listenPort: 70000"),
            false,
            List.of("BGPConfiguration \"default\"", "spec.listenPort", "70000", "1-65535")),
        new Case(
            "bgpconfig log severity",
            doc("BGPConfiguration", "default", "logSeverityScreen: Loud"),
            false,
            List.of("BGPConfiguration \"default\"", "spec.logSeverityScreen", "Loud", "one of")),
        new Case(
            "node IPv6 in ipv4Address",
            doc("Node", "n2", "bgp:\n  ipv4Address: fe80::1"),
            false,
            List.of("Node \"n2\"", "spec.bgp.ipv4Address", "fe80::1", "IPv4 address")),
        new Case(
            "node bad MAC",
            doc("Node", "n2", "vxlanTunnelMACAddr: zz:zz"),
            false,
            List.of("Node \"n2\"", "spec.vxlanTunnelMACAddr", "zz:zz", "MAC address")),
        new Case(
            "ipamconfig negative max blocks",
            doc("IPAMConfig", "default", "maxBlocksPerHost: -1"),
            false,
            List.of("IPAMConfig \"default\"", "spec.maxBlocksPerHost", "-1", "0 (unlimited)")),
        new Case(
            "unknown kind",
            doc("Pod", "x", "a: b"),
            false,
            List.of("Pod \"x\"", "kind", "is not a known kind")),
        new Case(
            "unsupported apiVersion",
            pool("p", "cidr: 10.1.0.0/16").replace("netctl.dev/v1", "crd.projectcalico.org/v1"),
            false,
            List.of("IPPool \"p\"", "apiVersion", "crd.projectcalico.org/v1", "not supported")),
        new Case(
            "not YAML",
            "apiVersion: netctl.dev/v1\nkind: IPPool\nmetadata: {name: p\nspec: [\n",
            false,
            List.of("document 1", "not valid YAML/JSON", "line")),
        new Case(
            "last document invalid",
            pool("ok1", "cidr: 10.10.0.0/16")
                + "---\n"
                + doc("Node", "ok2", "bgp:\n  ipv4Address: 192.168.1.3")
                + "---\n"
                + pool("bad", "cidr: 10.11.0.0/16\nblockSize: 33"),
            false,
            List.of("IPPool \"bad\"", "spec.blockSize", "33", "must be 20-32")),
        new Case(
            "two overlapping pools in one file",
            pool("a", "cidr: 10.20.0.0/16") + "---\n" + pool("b", "cidr: 10.20.128.0/17"),
            false,
            List.of(
                "IPPool \"b\"", "spec.cidr", "10.20.128.0/17", "must not overlap IPPool \"a\"")),
        new Case(
            "same object twice",
            pool("a", "cidr: 10.20.0.0/16") + "---\n" + pool("a", "cidr: 10.21.0.0/16"),
            false,
            List.of("IPPool \"a\"", "metadata.name", "must not appear twice")),
        new Case(
            "overlaps a stored pool",
            pool("q", "cidr: 10.0.128.0/17"),
            true,
            List.of(
                "IPPool \"q\"", "spec.cidr", "10.0.128.0/17", "must not overlap IPPool \"base\"")),
        new Case(
            "changes an immutable cidr",
            pool("base", "cidr: 10.99.0.0/16"),
            true,
            List.of("IPPool \"base\"", "spec.cidr", "10.99.0.0/16", "cannot be changed")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void applyRefusesAndWritesNothing(Case c) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, c.file());
    StoreSnapshot before = StoreSnapshot.of(spec);
    assertThat(before.size()).isEqualTo(2);

    for (String verb : c.stateful() ? List.of("apply") : List.of("apply", "create", "replace")) {
      Cli.Run r = cli.run(verb, "-f", file.toString());
      assertThat(r.exitCode()).as(verb + " " + c + "\n" + r).isEqualTo(ExitCode.INVALID);
      assertThat(r.err()).as(verb + " " + c).contains(c.expected()).contains("bad.yaml");
      assertThat(r.err()).as("no stack trace").doesNotContain("\tat ");
      assertThat(r.out()).as(verb + " prints nothing as done").isEmpty();
      assertThat(StoreSnapshot.of(spec)).as(verb + " " + c + " wrote").isEqualTo(before);
    }
    if (!c.stateful()) {
      Cli.Run v = Cli.raw("", "validate", "-f", file.toString());
      assertThat(v.exitCode()).as("validate " + c + "\n" + v).isEqualTo(ExitCode.INVALID);
      assertThat(v.err()).as("validate " + c).contains(c.expected());
    }
  }

  @Test
  void thereAreAtLeastTwentyDistinctCases() {
    assertThat(cases().map(Case::file).distinct().count()).isGreaterThanOrEqualTo(20);
  }

  @Test
  void everyViolationOfAFileIsReportedNotJustTheFirst() throws Exception {
    Path file = dir.resolve("many.yaml");
    Files.writeString(
        file,
        pool("x", "cidr: 10.1.0.0/16\nblockSize: 40")
            + "---\n"
            + doc("BGPPeer", "y", "peerIP: 1.2.3.4\nasNumber: 0"));
    Cli.Run r = cli.run("apply", "-f", file.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(r.err().lines().filter(l -> l.startsWith("error: ")).toList())
        .hasSize(2)
        .anySatisfy(l -> assertThat(l).contains("IPPool \"x\"", "spec.blockSize"))
        .anySatisfy(l -> assertThat(l).contains("BGPPeer \"y\"", "spec.asNumber"));
  }

  @Test
  void aWrongTypedDocumentDoesNotHideTheOtherDocumentsErrors() throws Exception {
    // Document 1 cannot be read at all (a quoted number for an integer); 2 and 4 cannot either, 3
    // reads but breaks a rule, 5 is fine. Each is named, and nothing is written.
    Path file = dir.resolve("many.yaml");
    Files.writeString(
        file,
        pool("p1", "cidr: 10.1.0.0/16\nblockSize: \"26\"")
            + "---\n"
            + pool("p2", "cidr: 10.2.0.0/16\nnatOutgoing: yes-please")
            + "---\n"
            + pool("p3", "cidr: 10.3.0.0/16\nblockSize: 40")
            + "---\n"
            + doc("BGPPeer", "y", "peerIP: 1.2.3.4\nasNumber: 64512\nkeepOriginalNextHop: 1")
            + "---\n"
            + pool("p5", "cidr: 10.5.0.0/16"));
    StoreSnapshot before = StoreSnapshot.of(spec);
    for (String verb : List.of("apply", "create", "replace", "validate")) {
      Cli.Run r = cli.run(verb, "-f", file.toString());
      assertThat(r.exitCode()).as(verb + "\n" + r).isEqualTo(ExitCode.INVALID);
      assertThat(r.err().lines().filter(l -> l.startsWith("error: ")).toList())
          .as(verb + ": one line per broken document")
          .hasSize(4)
          .anySatisfy(
              l ->
                  assertThat(l)
                      .contains("many.yaml: document 1 (IPPool \"p1\")", "spec.blockSize", "26"))
          .anySatisfy(
              l ->
                  assertThat(l)
                      .contains(
                          "many.yaml: document 2 (IPPool \"p2\")",
                          "spec.natOutgoing",
                          "yes-please",
                          "true or false"))
          .anySatisfy(l -> assertThat(l).contains("IPPool \"p3\"", "spec.blockSize", "40"))
          .anySatisfy(
              l ->
                  assertThat(l)
                      .contains(
                          "many.yaml: document 4 (BGPPeer \"y\")",
                          "spec.keepOriginalNextHop",
                          "true or false"));
      assertThat(r.out()).as(verb + " prints nothing as done").isEmpty();
      assertThat(StoreSnapshot.of(spec)).as(verb + " wrote").isEqualTo(before);
    }
  }

  @Test
  void aWrongTypedItemOfAListDoesNotHideTheOtherItemsErrors() throws Exception {
    Path file = dir.resolve("list.json");
    Files.writeString(
        file,
        """
        {"apiVersion": "v1", "kind": "List", "items": [
          {"apiVersion": "netctl.dev/v1", "kind": "IPPool", "metadata": {"name": "a"},
           "spec": {"cidr": "10.1.0.0/16", "blockSize": "26"}},
          {"apiVersion": "netctl.dev/v1", "kind": "IPPool", "metadata": {"name": "b"},
           "spec": {"cidr": "10.2.0.0/16", "ipipMode": 1}}
        ]}
        """);
    Cli.Run r = cli.run("apply", "-f", file.toString());
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.INVALID);
    assertThat(r.err())
        .contains("document 1 item 1 (IPPool \"a\"): field spec.blockSize \"26\"")
        .contains("document 1 item 2 (IPPool \"b\"): field spec.ipipMode \"1\"");
  }
}
