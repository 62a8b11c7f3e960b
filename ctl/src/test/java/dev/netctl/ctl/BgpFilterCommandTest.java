package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** BGPFilter is a first-class kind on the command line: apply, get, delete, and refusals. */
@Timeout(60)
class BgpFilterCommandTest {
  @TempDir Path dir;

  private static final String FILTER =
      """
      apiVersion: projectcalico.org/v3
      kind: BGPFilter
      metadata: {name: tor}
      spec:
        exportV4:
          - {action: Reject, matchOperator: In, cidr: 10.242.0.0/16}
        importV4:
          - {action: Reject, matchOperator: Equal, cidr: 198.51.100.0/24}
          - {action: Accept, matchOperator: In, cidr: 192.0.2.0/24, prefixLength: {max: 28}}
      """;

  @Test
  void appliesGetsAndDeletesAFilter() {
    Cli cli = new Cli("embedded:" + dir.resolve("s.db"));

    assertThat(cli.runWithStdin(FILTER, "apply", "-f", "-").out())
        .isEqualTo("bgpfilter.netctl.dev/tor created\n");
    assertThat(cli.run("get", "bgpfilters", "-o", "wide").out())
        .containsPattern("NAME +EXPORTV4 +IMPORTV4 +EXPORTV6 +IMPORTV6")
        .containsPattern("tor +1 +2 +0 +0");
    assertThat(cli.run("get", "bgpfilter", "tor", "-o", "yaml").out())
        .contains("matchOperator: Equal")
        .contains("prefixLength:\n      max: 28");
    assertThat(cli.runWithStdin(FILTER, "apply", "-f", "-").out())
        .isEqualTo("bgpfilter.netctl.dev/tor unchanged\n");
    assertThat(cli.run("delete", "bgpfilter", "tor").exitCode()).isZero();
    assertThat(cli.run("get", "bgpfilters", "-o", "name").out()).isEmpty();
  }

  @Test
  void aBadRuleIsRefusedNamingFilterFieldValueAndRuleWithNothingWritten() {
    Cli cli = new Cli("embedded:" + dir.resolve("s.db"));

    Cli.Run r =
        cli.runWithStdin(
            FILTER.replace("cidr: 10.242.0.0/16", "cidr: 'fd00::/64'"), "apply", "-f", "-");

    assertThat(r.exitCode()).isNotZero();
    assertThat(r.err())
        .contains("BGPFilter \"tor\"")
        .contains("spec.exportV4[0].cidr")
        .contains("\"fd00::/64\"")
        .contains("must be an IPv4 CIDR: exportV4 and importV4 hold IPv4 rules");
    assertThat(cli.run("get", "bgpfilters", "-o", "name").out()).isEmpty();
  }
}
