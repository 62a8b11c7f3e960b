package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code netctl node run}'s bad options: each is refused before the agent touches the datastore or
 * the kernel (an MTU of 20 used to start an agent that plumbed pods with it), naming the option,
 * the value and the rule.
 */
class NodeRunCommandTest {

  @TempDir Path dir;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--mtu | 20 | 68-65535",
        "--mtu | 70000 | 68-65535",
        "--vxlan-vni | 16777216 | 0-16777215",
        "--vxlan-vni | -1 | 0-16777215",
        "--vxlan-port | 0 | 1-65535",
        "--health-port | 70000 | 0-65535",
        "--cni-socket | relative.sock | absolute path",
        "--router-id | 0.0.0.0 | must not be 0.0.0.0",
        "--router-id | fd00::1 | dotted-quad IPv4 address",
        "--router-id | 10.0.0.256 | dotted-quad IPv4 address"
      })
  void aBadOptionIsAUsageErrorBeforeAnythingStarts(String option, String value, String rule)
      throws Exception {
    Path db = dir.resolve("netctl.db");
    Cli.Run r =
        Cli.raw("", "--datastore", "embedded:" + db, "node", "run", "--name", "n1", option, value);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains(option + " " + value, rule);
    assertThat(Files.exists(db)).as("the datastore was not opened").isFalse();
  }

  @org.junit.jupiter.api.Test
  void aNodeWithNeitherFamilyIsAUsageErrorBeforeAnythingStarts() throws Exception {
    Path db = dir.resolve("netctl.db");
    Cli.Run r =
        Cli.raw(
            "",
            "--datastore",
            "embedded:" + db,
            "node",
            "run",
            "--name",
            "n1",
            "--ip",
            "none",
            "--ip6",
            "none");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("--ip none and --ip6 none", "an IPv4 or an IPv6 address");
    assertThat(Files.exists(db)).as("the datastore was not opened").isFalse();
  }
}
