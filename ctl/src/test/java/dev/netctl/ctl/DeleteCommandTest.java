package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class DeleteCommandTest {
  @TempDir Path dir;
  String spec;
  Cli cli;

  static final String NODES =
      """
      apiVersion: netctl.dev/v1
      kind: Node
      metadata: {name: n1}
      ---
      apiVersion: netctl.dev/v1
      kind: Node
      metadata: {name: n2}
      ---
      apiVersion: netctl.dev/v1
      kind: Node
      metadata: {name: n3}
      """;

  @BeforeEach
  void seed() {
    spec = "embedded:" + dir.resolve("s.db");
    cli = new Cli(spec);
    assertThat(cli.runWithStdin(NODES, "create", "-f", "-").exitCode()).isZero();
  }

  @Test
  void deletesByKindAndNamesContinuingPastMissingOnes() {
    Cli.Run r = cli.run("delete", "nodes", "n1", "ghost", "n3");
    assertThat(r.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(r.out())
        .isEqualTo("node.netctl.dev \"n1\" deleted\nnode.netctl.dev \"n3\" deleted\n");
    assertThat(r.err()).isEqualTo("error: Node \"ghost\" not found\n");
    assertThat(cli.run("get", "nodes", "-o", "name").out()).isEqualTo("node.netctl.dev/n2\n");
  }

  @Test
  void deletingAPoolReleasesItsBlockAffinitiesAsCalicoDoes() {
    String pool =
        "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\n"
            + "spec: {cidr: 10.7.0.0/24}\n";
    assertThat(cli.runWithStdin(pool, "apply", "-f", "-").exitCode()).isZero();
    assertThat(cli.run("ipam", "assign", "--node", "n1", "--handle", "h1").exitCode()).isZero();
    assertThat(cli.run("ipam", "release", "--handle", "h1").exitCode()).isZero();

    Cli.Run r = cli.run("delete", "ippool", "p");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("ippool.netctl.dev \"p\" deleted\n");
    // Its one block was empty: with the affinity released it goes too, leaving nothing to check.
    assertThat(cli.run("ipam", "check").out())
        .startsWith("Checked 0 block(s), 0 affinity record(s), 0 handle(s)");
  }

  @Test
  void deletingANodeReleasesItsAddressesAndOwnConfigurationAsCalicoDoes() {
    String state =
        """
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata: {name: p}
        spec: {cidr: 10.7.0.0/24}
        ---
        apiVersion: projectcalico.org/v3
        kind: FelixConfiguration
        metadata: {name: node.n1}
        spec: {vxlanPort: 8472}
        """;
    assertThat(cli.runWithStdin(state, "apply", "-f", "-").exitCode()).isZero();
    assertThat(cli.run("ipam", "assign", "--node", "n1", "--handle", "h1").exitCode()).isZero();

    Cli.Run r = cli.run("delete", "node", "n1");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("node.netctl.dev \"n1\" deleted\n");
    assertThat(r.err())
        .isEqualTo(
            "node.netctl.dev \"n1\" deleted with 1 address, 1 block affinity,"
                + " FelixConfiguration \"node.n1\"\n");
    assertThat(cli.run("ipam", "check").out())
        .startsWith("Checked 0 block(s), 0 affinity record(s), 0 handle(s)");
    assertThat(cli.run("get", "felixconfigurations", "-o", "name").out()).isEmpty();
  }

  @Test
  void ignoreNotFoundSucceeds() {
    Cli.Run r = cli.run("delete", "node", "ghost", "--ignore-not-found");
    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).isEmpty();
  }

  @Test
  void deletesWhatAFileNames() throws Exception {
    Path f = dir.resolve("nodes.yaml");
    Files.writeString(f, NODES);
    Cli.Run r = cli.run("delete", "-f", f.toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out().lines()).hasSize(3);
    assertThat(StoreSnapshot.of(spec).size()).isZero();
  }

  @Test
  void needsKindAndNameOrAFile() {
    assertThat(cli.run("delete", "node").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(cli.run("delete", "node", "n1", "-f", "x.yaml").exitCode())
        .isEqualTo(ExitCode.USAGE);
    assertThat(cli.run("delete", "widget", "n1").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(StoreSnapshot.of(spec).size()).isEqualTo(3);
  }
}
