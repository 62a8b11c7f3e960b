package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class LabelCommandTest {
  @TempDir Path dir;
  String spec;
  Cli cli;

  @BeforeEach
  void seed() {
    spec = "embedded:" + dir.resolve("s.db");
    cli = new Cli(spec);
    String node =
        "apiVersion: netctl.dev/v1\nkind: Node\nmetadata: {name: n1, labels: {rack: a}}\n";
    assertThat(cli.runWithStdin(node, "create", "-f", "-").exitCode()).isZero();
  }

  private String labels() {
    String yaml = cli.run("get", "node", "n1", "-o", "yaml").out();
    int start = yaml.indexOf("  labels:\n");
    if (start < 0) return "";
    int end = yaml.indexOf("  resourceVersion:");
    return yaml.substring(start, end);
  }

  @Test
  void addsLabels() {
    Cli.Run r = cli.run("label", "node", "n1", "zone=z1", "edge=true");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("node.netctl.dev/n1 labeled\n");
    assertThat(labels()).isEqualTo("  labels:\n    edge: \"true\"\n    rack: a\n    zone: z1\n");
  }

  @Test
  void refusesToChangeAValueWithoutOverwrite() {
    StoreSnapshot before = StoreSnapshot.of(spec);
    Cli.Run r = cli.run("label", "node", "n1", "rack=b");
    assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(r.err())
        .isEqualTo(
            "error: Node \"n1\": label \"rack\" already has the value \"a\"; use --overwrite to"
                + " change it\n");
    assertThat(StoreSnapshot.of(spec)).isEqualTo(before);

    Cli.Run ok = cli.run("label", "node", "n1", "rack=b", "--overwrite");
    assertThat(ok.exitCode()).isZero();
    assertThat(labels()).isEqualTo("  labels:\n    rack: b\n");
  }

  @Test
  void settingTheSameValueIsNotAChange() {
    StoreSnapshot before = StoreSnapshot.of(spec);
    Cli.Run r = cli.run("label", "node", "n1", "rack=a");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEqualTo("node.netctl.dev/n1 not labeled\n");
    assertThat(StoreSnapshot.of(spec)).isEqualTo(before);
  }

  @Test
  void removesWithATrailingDashAndWarnsForAbsentLabels() {
    Cli.Run r = cli.run("label", "node", "n1", "rack-", "ghost-");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEqualTo("node.netctl.dev/n1 unlabeled\n");
    assertThat(r.err()).isEqualTo("warning: label \"ghost\" not found on node.netctl.dev/n1\n");
    assertThat(labels()).isEmpty();
  }

  @Test
  void invalidLabelsAreRefusedByTheValidator() {
    StoreSnapshot before = StoreSnapshot.of(spec);
    Cli.Run r = cli.run("label", "node", "n1", "bad key=x");
    assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(r.err()).contains("Node \"n1\"", "metadata.labels", "bad key", "label key");
    Cli.Run v = cli.run("label", "node", "n1", "ok=not valid!");
    assertThat(v.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(v.err()).contains("metadata.labels[ok]", "not valid!", "label value");
    assertThat(StoreSnapshot.of(spec)).isEqualTo(before);
  }

  @Test
  void malformedArgumentsAreUsageErrors() {
    assertThat(cli.run("label", "node", "n1", "justakey").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(cli.run("label", "node", "n1", "a=1", "a-").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(cli.run("label", "node", "n1").exitCode()).isEqualTo(ExitCode.USAGE);
  }
}
