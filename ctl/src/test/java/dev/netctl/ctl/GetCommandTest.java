package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.ResourceCodec;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class GetCommandTest {
  @TempDir Path dir;
  Cli cli;

  static final String NODES =
      """
      apiVersion: netctl.dev/v1
      kind: Node
      metadata: {name: a-rather-long-node-name, labels: {rack: r1, edge: "yes"}}
      spec: {bgp: {ipv4Address: 10.0.0.1/24, asNumber: 65001}}
      ---
      apiVersion: netctl.dev/v1
      kind: Node
      metadata: {name: n2, labels: {rack: r2}}
      spec: {bgp: {ipv4Address: 10.0.0.2/24}}
      ---
      apiVersion: netctl.dev/v1
      kind: Node
      metadata: {name: n3, labels: {rack: r1}}
      spec: {}
      """;

  @BeforeEach
  void seed() {
    cli = new Cli("embedded:" + dir.resolve("s.db"));
    assertThat(cli.runWithStdin(NODES, "create", "-f", "-").exitCode()).isZero();
  }

  @Test
  void tableColumnsAreAlignedLikeKubectl() {
    Cli.Run r = cli.run("get", "nodes", "-o", "wide");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out())
        .isEqualTo(
            """
            NAME                      ASN       IPV4          IPV6
            a-rather-long-node-name   65001     10.0.0.1/24
            n2                        (64512)   10.0.0.2/24
            n3
            """);
    assertThat(cli.run("get", "no").out()).isEqualTo("NAME\na-rather-long-node-name\nn2\nn3\n");
  }

  @Test
  void aBgpNodeWithoutItsOwnAsnShowsTheClusterAsnItInheritsInParentheses() {
    String config =
        """
        apiVersion: projectcalico.org/v3
        kind: BGPConfiguration
        metadata: {name: default}
        spec: {asNumber: 65100}
        """;
    assertThat(cli.runWithStdin(config, "apply", "-f", "-").exitCode()).isZero();
    Cli.Run r = cli.run("get", "nodes", "n2", "n3", "a-rather-long-node-name", "-o", "wide");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .as("calicoctl marks an inherited AS number with parentheses; a node without BGP has none")
        .isEqualTo(
            """
            NAME                      ASN       IPV4          IPV6
            n2                        (65100)   10.0.0.2/24
            n3
            a-rather-long-node-name   65001     10.0.0.1/24
            """);
    assertThat(cli.run("get", "node", "n2", "-o", "yaml").out())
        .as("the stored node is not changed by the display")
        .doesNotContain("asNumber");
  }

  static final String ENDPOINTS =
      """
      apiVersion: projectcalico.org/v3
      kind: WorkloadEndpoint
      metadata: {name: n1-k8s-web-eth0, namespace: shop}
      spec: {node: n1, pod: web, ipNetworks: [10.1.0.1/32], interfaceName: cali1}
      ---
      apiVersion: projectcalico.org/v3
      kind: WorkloadEndpoint
      metadata: {name: n1-k8s-web-eth0, namespace: default}
      spec: {node: n1, pod: web, ipNetworks: [10.1.0.2/32], interfaceName: cali2}
      ---
      apiVersion: projectcalico.org/v3
      kind: WorkloadEndpoint
      metadata: {name: n1-k8s-db-eth0, namespace: shop}
      spec: {node: n1, pod: db, ipNetworks: [10.1.0.3/32], interfaceName: cali3}
      """;

  @Test
  void aNamespacedObjectIsFoundByNameInTheNamespaceOfMinusN() {
    assertThat(cli.runWithStdin(ENDPOINTS, "apply", "-f", "-").exitCode()).isZero();
    Cli.Run inShop = cli.run("get", "wep", "n1-k8s-web-eth0", "-n", "shop", "-o", "yaml");
    assertThat(inShop.exitCode()).as(inShop.toString()).isZero();
    assertThat(inShop.out()).contains("namespace: shop", "10.1.0.1/32").doesNotContain("10.1.0.2");

    Cli.Run byDefault = cli.run("get", "wep", "n1-k8s-web-eth0", "-o", "yaml");
    assertThat(byDefault.out())
        .as("without -n a name is looked up in \"default\", as calicoctl does")
        .contains("10.1.0.2/32")
        .doesNotContain("10.1.0.1");

    Cli.Run listShop = cli.run("get", "weps", "--namespace", "shop", "-o", "name");
    assertThat(listShop.out()).hasLineCount(2).doesNotContain("10.1.0.2");
    assertThat(cli.run("get", "weps", "-A", "-o", "name").out()).hasLineCount(3);
    assertThat(cli.run("get", "weps", "-o", "wide").out())
        .as("a list without -n shows \"default\" only, as calicoctl's")
        .contains("10.1.0.2/32")
        .doesNotContain("10.1.0.1", "10.1.0.3");

    Cli.Run missing = cli.run("get", "wep", "n1-k8s-db-eth0", "-n", "default");
    assertThat(missing.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(missing.err())
        .isEqualTo("error: WorkloadEndpoint \"default/n1-k8s-db-eth0\" not found\n");

    Cli.Run both = cli.run("get", "weps", "-n", "shop", "-A");
    assertThat(both.exitCode()).isEqualTo(ExitCode.USAGE);

    Cli.Run deleted = cli.run("delete", "wep", "n1-k8s-db-eth0", "-n", "shop");
    assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
    assertThat(cli.run("get", "weps", "-n", "shop", "-o", "name").out()).hasLineCount(1);
  }

  @Test
  void shortNamesAndCaseSelectTheSameKind() {
    String expected = cli.run("get", "nodes").out();
    assertThat(cli.run("get", "node").out()).isEqualTo(expected);
    assertThat(cli.run("get", "Node").out()).isEqualTo(expected);
  }

  @Test
  void namedObjectsComeInTheOrderGiven() {
    assertThat(cli.run("get", "node", "n3", "n2", "-o", "name").out())
        .isEqualTo("node.netctl.dev/n3\nnode.netctl.dev/n2\n");
  }

  @Test
  void labelSelectorFilters() {
    assertThat(cli.run("get", "nodes", "-l", "rack == 'r1'", "-o", "name").out())
        .isEqualTo("node.netctl.dev/a-rather-long-node-name\nnode.netctl.dev/n3\n");
    assertThat(cli.run("get", "nodes", "-l", "has(edge) && rack != 'r1'").err())
        .isEqualTo("No resources found.\n");
    Cli.Run bad = cli.run("get", "nodes", "-l", "rack ==");
    assertThat(bad.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(bad.err()).startsWith("error: selector \"rack ==\" column");
  }

  @Test
  void yamlOfOneIsOneDocumentAndOfSeveralAStreamThatReadsBack() {
    String one = cli.run("get", "node", "n2", "-o", "yaml").out();
    assertThat(one).startsWith("apiVersion: netctl.dev/v1\nkind: Node\n").doesNotContain("---");
    String all = cli.run("get", "nodes", "-o", "yaml").out();
    assertThat(all.split("(?m)^---$")).hasSize(3);
    var read = new ResourceCodec().read(all);
    assertThat(read)
        .extracting(r -> r.name())
        .containsExactly("a-rather-long-node-name", "n2", "n3");
    Cli.Run reapply = cli.runWithStdin(all, "apply", "-f", "-");
    assertThat(reapply.out().lines()).hasSize(3).allMatch(l -> l.endsWith(" unchanged"));
  }

  @Test
  void jsonOfSeveralIsAListThatReadsBack() {
    String json = cli.run("get", "nodes", "-o", "json").out();
    assertThat(json).contains("\"kind\": \"List\"").contains("\"items\"");
    assertThat(new ResourceCodec().read(json)).hasSize(3);
    assertThat(cli.run("get", "node", "n2", "-o", "json").out())
        .startsWith("{\n  \"apiVersion\": \"netctl.dev/v1\",\n  \"kind\": \"Node\"");
    Cli.Run reapply = cli.runWithStdin(json, "apply", "-f", "-");
    assertThat(reapply.out().lines()).hasSize(3).allMatch(l -> l.endsWith(" unchanged"));
  }

  @Test
  void anEmptyListSaysSoOnStderrAndSucceeds() {
    Cli.Run r = cli.run("get", "ippools");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("No resources found.\n");
  }

  @Test
  void missingNamesAreReportedAfterTheFoundOnes() {
    Cli.Run r = cli.run("get", "node", "n2", "ghost", "-o", "name");
    assertThat(r.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(r.out()).isEqualTo("node.netctl.dev/n2\n");
    assertThat(r.err()).isEqualTo("error: Node \"ghost\" not found\n");
  }

  @Test
  void unknownKindIsAUsageErrorListingTheKnownKinds() {
    Cli.Run r = cli.run("get", "pods");
    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err())
        .startsWith("error: unknown resource kind \"pods\"; known kinds: ippools (")
        .contains("bgppeers", "bgpconfigurations", "nodes", "ipamconfigs");
  }

  @Test
  void unknownOutputFormatAndNamesWithSelectorAreUsageErrors() {
    Cli.Run r = cli.run("get", "nodes", "-o", "xml");
    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("\"xml\"", "table, wide, yaml, json, name");
    assertThat(cli.run("get", "nodes", "n2", "-l", "all()").exitCode()).isEqualTo(ExitCode.USAGE);
  }

  @Test
  void theHelpNamesEveryKindGetShows() {
    // It named five kinds; IPReservations, BGPFilters and the policy kinds were left to be guessed.
    String help = cli.run("get", "--help").out();
    String kindHelp =
        help.substring(help.indexOf("Resource kind"), help.indexOf("Names; all when omitted"));
    for (Kind<?> k : Kind.all()) {
      assertThat(kindHelp.replaceAll("\\s+", " ")).as(k.name()).contains(k.plural());
    }
  }
}
