package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvertCommandTest {
  @TempDir Path dir;

  static final String CALICO =
      """
      apiVersion: projectcalico.org/v3
      kind: IPAMConfiguration
      metadata:
        name: default
        resourceVersion: "91823"
        uid: 5b1e0f7a-0000-4000-8000-000000000000
        creationTimestamp: "2024-01-02T03:04:05Z"
      spec:
        strictAffinity: true
        maxBlocksPerHost: 4
      ---
      apiVersion: projectcalico.org/v3
      kind: IPPool
      metadata: {name: default-ipv4-ippool}
      spec: {cidr: 192.168.0.0/16, ipipMode: Always, natOutgoing: true}
      """;

  @Test
  void rewritesCalicoV3AsNetctlAndDropsServerFields() {
    Cli.Run r = Cli.raw(CALICO, "convert", "-f", "-");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("apiVersion: netctl.dev/v1\nkind: IPAMConfig\nmetadata:\n  name: default\nspec:")
        .contains("kind: IPPool", "cidr: 192.168.0.0/16", "ipipMode: Always", "natOutgoing: true")
        .doesNotContain("projectcalico.org", "resourceVersion", "uid:", "creationTimestamp");
  }

  @Test
  void theOutputAppliesToAStore() {
    String converted = Cli.raw(CALICO, "convert", "-f", "-").out();
    Cli cli = new Cli("embedded:" + dir.resolve("s.db"));
    Cli.Run r = cli.runWithStdin(converted, "apply", "-f", "-");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "ipamconfig.netctl.dev/default created\nippool.netctl.dev/default-ipv4-ippool created\n");
  }

  @Test
  void jsonOutputAndBadFormat() {
    Cli.Run json = Cli.raw(CALICO, "convert", "-f", "-", "-o", "json");
    assertThat(json.out()).contains("\"kind\": \"List\"", "\"apiVersion\": \"netctl.dev/v1\"");
    Cli.Run wide = Cli.raw(CALICO, "convert", "-f", "-", "-o", "wide");
    assertThat(wide.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(wide.err()).contains("yaml, json");
  }
}
