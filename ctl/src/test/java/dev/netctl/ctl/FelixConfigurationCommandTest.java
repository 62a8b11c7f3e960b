package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * FelixConfiguration through the real command, as a Calico user runs calicoctl: apply of a
 * projectcalico.org/v3 manifest, patch, label, get in every format, replace, delete, with
 * calicoctl's names; a bad value and an unsupported Calico field refused with nothing written.
 */
@Timeout(120)
class FelixConfigurationCommandTest {
  @TempDir Path dir;
  IpamCluster cluster;

  private static final String DEFAULT =
      """
      apiVersion: projectcalico.org/v3
      kind: FelixConfiguration
      metadata:
        name: default
      spec:
        vxlanVNI: 4097
        routeRefreshInterval: 60s
      """;

  @BeforeEach
  void seed() {
    cluster = IpamCluster.embedded(dir);
  }

  private String file(String name, String text) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f.toString();
  }

  @Test
  void applyPatchLabelGetReplaceAndDeleteWithCalicoctlsNames() throws IOException {
    String f = file("fc.yaml", DEFAULT);

    assertThat(cluster.ok("apply", "-f", f).out())
        .isEqualTo("felixconfiguration.netctl.dev/default created\n");
    assertThat(cluster.ok("get", "felixconfigurations").lines()).containsExactly("NAME", "default");
    assertThat(
            cluster
                .ok(
                    "patch",
                    "felixconfiguration",
                    "default",
                    "-p",
                    "{\"spec\":{\"vxlanPort\":4790}}")
                .out())
        .isEqualTo("felixconfiguration.netctl.dev/default patched\n");
    cluster.ok("label", "felixconfig", "default", "tier=edge");
    assertThat(cluster.ok("get", "felixconfig", "default", "-o", "yaml").out())
        .contains("kind: FelixConfiguration")
        .contains("tier: edge")
        .contains("spec:\n  vxlanVNI: 4097\n  vxlanPort: 4790\n  routeRefreshInterval: 60s\n");
    assertThat(cluster.ok("get", "felixconfigs", "-o", "json").out())
        .contains("\"vxlanPort\": 4790");
    assertThat(cluster.ok("get", "felixconfigs", "-o", "wide").out())
        .containsPattern("default +4097 +4790 .*60s");

    cluster.ok("replace", "-f", f);
    assertThat(cluster.ok("get", "felixconfig", "default", "-o", "yaml").out())
        .doesNotContain("vxlanPort");
    assertThat(cluster.ok("delete", "felixconfiguration", "default").out())
        .contains("felixconfiguration.netctl.dev \"default\" deleted");
    assertThat(cluster.ok("get", "felixconfigs", "-o", "name").out()).isEmpty();
  }

  @Test
  void aBadValueIsRefusedNamingResourceFieldValueAndRuleWithNothingWritten() throws IOException {
    String f = file("bad.yaml", DEFAULT.replace("vxlanVNI: 4097", "vxlanVNI: 16777216"));

    IpamCluster.Run r = cluster.run("apply", "-f", f);

    assertThat(r.exitCode()).isNotZero();
    assertThat(r.err())
        .contains("FelixConfiguration \"default\"")
        .contains("spec.vxlanVNI")
        .contains("\"16777216\"")
        .contains("must be 0-16777215");
    assertThat(cluster.ok("get", "felixconfigs", "-o", "name").out()).isEmpty();
  }

  @Test
  void anUnsupportedCalicoFieldIsRefusedByNameInApplyAndPatch() throws IOException {
    cluster.ok("apply", "-f", file("fc.yaml", DEFAULT));
    String node =
        DEFAULT.replace("name: default", "name: node.worker-1") + "  wireguardEnabled: true\n";
    IpamCluster.Run r = cluster.run("apply", "-f", file("u.yaml", node));
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.err())
        .contains("FelixConfiguration \"node.worker-1\"")
        .contains("spec.wireguardEnabled is a Calico field not supported by netctl");
    assertThat(cluster.ok("get", "felixconfigs", "-o", "name").lines())
        .containsExactly("felixconfiguration.netctl.dev/default");

    IpamCluster.Run p =
        cluster.run("patch", "felixconfig", "default", "-p", "{\"spec\":{\"bpfEnabled\":true}}");
    assertThat(p.exitCode()).isNotZero();
    assertThat(p.err()).contains("spec.bpfEnabled is a Calico field not supported by netctl");
    assertThat(cluster.ok("get", "felixconfig", "default", "-o", "yaml").out())
        .doesNotContain("bpfEnabled");
  }
}
