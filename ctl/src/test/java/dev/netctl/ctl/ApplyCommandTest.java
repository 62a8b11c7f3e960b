package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ApplyCommandTest {
  @TempDir Path dir;

  static String node(String name, String rack) {
    return "apiVersion: netctl.dev/v1\nkind: Node\nmetadata:\n  name: "
        + name
        + "\n  labels: {rack: "
        + rack
        + "}\n";
  }

  @Test
  void reportsCreatedConfiguredAndUnchanged() {
    Cli cli = new Cli("embedded:" + dir.resolve("s.db"));
    assertThat(
            cli.runWithStdin(node("a", "r1") + "---\n" + node("b", "r1"), "apply", "-f", "-").out())
        .isEqualTo("node.netctl.dev/a created\nnode.netctl.dev/b created\n");
    Cli.Run r =
        cli.runWithStdin(
            node("a", "r1") + "---\n" + node("b", "r2") + "---\n" + node("c", "r1"),
            "apply",
            "-f",
            "-");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "node.netctl.dev/a unchanged\nnode.netctl.dev/b configured\nnode.netctl.dev/c created\n");
    assertThat(cli.run("get", "nodes", "-l", "rack == 'r2'", "-o", "name").out())
        .isEqualTo("node.netctl.dev/b\n");
  }

  /**
   * calicoctl's output carries the Calico datastore's resourceVersion; it means nothing here, so
   * applying the same export twice must not fail as a conflict with netctl's own revision.
   */
  @Test
  void calicoManifestsCanBeAppliedAgainDespiteCalicosResourceVersion() {
    String calico =
        """
        apiVersion: projectcalico.org/v3
        kind: IPPoolList
        items:
        - apiVersion: projectcalico.org/v3
          kind: IPPool
          metadata:
            name: default-ipv4-ippool
            resourceVersion: "1234"
            uid: 0d7e5b6a-1111-2222-3333-444455556666
            creationTimestamp: "2023-01-10T10:00:00Z"
          spec: {cidr: 192.168.0.0/16, natOutgoing: true}
        """;
    Cli cli = new Cli("embedded:" + dir.resolve("s.db"));
    assertThat(cli.runWithStdin(calico, "apply", "-f", "-").out())
        .isEqualTo("ippool.netctl.dev/default-ipv4-ippool created\n");
    Cli.Run again = cli.runWithStdin(calico, "apply", "-f", "-");
    assertThat(again.err()).isEmpty();
    assertThat(again.exitCode()).isZero();
    assertThat(again.out()).isEqualTo("ippool.netctl.dev/default-ipv4-ippool unchanged\n");
    Cli.Run replaced =
        cli.runWithStdin(
            calico.replace("natOutgoing: true", "natOutgoing: false"), "replace", "-f", "-");
    assertThat(replaced.exitCode()).isZero();
    assertThat(cli.run("get", "ippool", "default-ipv4-ippool", "-o", "yaml").out())
        .doesNotContain("0d7e5b6a-1111-2222-3333-444455556666")
        .doesNotContain("1234");
  }

  @Test
  void readsSeveralFilesAndDirectoriesRecursively() throws Exception {
    Path top = Files.createDirectories(dir.resolve("manifests/sub/deeper"));
    Files.writeString(dir.resolve("manifests/1.yaml"), node("n1", "r1"));
    Files.writeString(dir.resolve("manifests/sub/2.yml"), node("n2", "r1"));
    Files.writeString(
        top.resolve("3.json"),
        "{\"apiVersion\":\"netctl.dev/v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n3\"}}");
    Files.writeString(top.resolve("notes.txt"), "not a manifest");
    Path single = dir.resolve("single.yaml");
    Files.writeString(single, node("n0", "r9"));
    Cli cli = new Cli("embedded:" + dir.resolve("s.db"));

    Cli.Run flat = cli.run("apply", "-f", dir.resolve("manifests").toString());
    assertThat(flat.out())
        .as("without -R only the top level")
        .isEqualTo("node.netctl.dev/n1 created\n");

    Cli.Run r =
        cli.run("apply", "-R", "-f", dir.resolve("manifests").toString(), "-f", single.toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "node.netctl.dev/n1 unchanged\nnode.netctl.dev/n2 created\n"
                + "node.netctl.dev/n3 created\nnode.netctl.dev/n0 created\n");
  }

  @Test
  void badPathsAreUsageErrorsNamingThePath() throws Exception {
    Cli cli = new Cli("embedded:" + dir.resolve("s.db"));
    Cli.Run missing = cli.run("apply", "-f", dir.resolve("nope.yaml").toString());
    assertThat(missing.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(missing.err())
        .isEqualTo("error: the path \"" + dir.resolve("nope.yaml") + "\" does not exist\n");

    Path empty = Files.createDirectories(dir.resolve("empty"));
    Cli.Run none = cli.run("apply", "-f", empty.toString());
    assertThat(none.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(none.err()).contains(empty.toString(), "holds no .yaml");

    Cli.Run noFlag = cli.run("apply");
    assertThat(noFlag.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(noFlag.err()).isEqualTo("error: -f FILE is required\n");

    Cli.Run blank = cli.runWithStdin("", "apply", "-f", "-");
    assertThat(blank.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(blank.err()).contains("no objects found");
  }

  @Test
  void aStaleResourceVersionIsAConflict() {
    String spec = "embedded:" + dir.resolve("s.db");
    Cli cli = new Cli(spec);
    cli.runWithStdin(node("a", "r1"), "apply", "-f", "-");
    String stale = cli.run("get", "node", "a", "-o", "yaml").out();
    assertThat(cli.run("label", "node", "a", "x=y").exitCode()).isZero();
    StoreSnapshot before = StoreSnapshot.of(spec);
    Cli.Run r = cli.runWithStdin(stale.replace("rack: r1", "rack: r7"), "apply", "-f", "-");
    assertThat(r.exitCode()).isEqualTo(ExitCode.CONFLICT);
    assertThat(r.err()).startsWith("error: Node \"a\" was modified concurrently");
    assertThat(StoreSnapshot.of(spec)).isEqualTo(before);
  }

  /**
   * A file read long ago may be stale in several objects: the user must learn about all of them at
   * once (kind, name, the version given and the one stored), not one per attempt.
   */
  @Test
  void everyStaleObjectIsNamedWithTheGivenAndTheCurrentVersion() {
    String spec = "embedded:" + dir.resolve("s.db");
    Cli cli = new Cli(spec);
    cli.runWithStdin(
        node("a", "r1") + "---\n" + node("b", "r1") + "---\n" + node("c", "r1"),
        "apply",
        "-f",
        "-");
    String stale = cli.run("get", "nodes", "-o", "yaml").out();
    String givenA = version(cli, "a");
    String givenC = version(cli, "c");
    assertThat(cli.run("label", "node", "a", "x=y").exitCode()).isZero();
    assertThat(cli.run("label", "node", "c", "x=y").exitCode()).isZero();
    StoreSnapshot before = StoreSnapshot.of(spec);

    Cli.Run r = cli.runWithStdin(stale.replace("rack: r1", "rack: r7"), "apply", "-f", "-");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.CONFLICT);
    assertThat(r.err())
        .isEqualTo(
            "error: Node \"a\" was modified concurrently (resourceVersion "
                + givenA
                + " given, now "
                + version(cli, "a")
                + ")\nerror: Node \"c\" was modified concurrently (resourceVersion "
                + givenC
                + " given, now "
                + version(cli, "c")
                + ")\n");
    assertThat(StoreSnapshot.of(spec)).as("nothing written").isEqualTo(before);
  }

  static String version(Cli cli, String node) {
    String yaml = cli.run("get", "node", node, "-o", "yaml").out();
    return yaml.replaceAll("(?s).*resourceVersion: \"?(\\d+)\"?\n.*", "$1");
  }
}
