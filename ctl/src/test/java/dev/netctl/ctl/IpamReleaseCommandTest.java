package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpamReleaseCommandTest {
  @TempDir Path dir;
  IpamCluster cluster;

  @BeforeEach
  void seed() {
    cluster = IpamCluster.embedded(dir).standard();
  }

  @Test
  void releasingByIpFreesExactlyThoseAddressesAndKeepsHandleCountsRight() {
    List<String> ips =
        cluster.ok("ipam", "assign", "--node", "node-1", "--handle", "h1", "--ipv4", "3").lines();

    IpamCluster.Run r = cluster.ok("ipam", "release", "--ip", ips.get(0), "--ip", ips.get(2));

    assertThat(r.lines())
        .containsExactlyInAnyOrder("released " + ips.get(0), "released " + ips.get(2));
    assertThat(cluster.ok("ipam", "show", "--ip", ips.get(0)).out())
        .contains("is not currently assigned");
    assertThat(cluster.ok("ipam", "show", "--ip", ips.get(1)).out()).contains("is in use");
    assertThat(cluster.ok("ipam", "show", "--ip", ips.get(2)).out())
        .contains("is not currently assigned");
    // The handle record follows the blocks: nothing for check to report.
    assertThat(cluster.run("ipam", "check").exitCode()).isEqualTo(ExitCode.OK);
  }

  @Test
  void releasingByHandleFreesEveryAddressOfTheHandle() {
    List<String> ips =
        cluster
            .ok(
                "ipam",
                "assign",
                "--node",
                "node-2",
                "--handle",
                "h2",
                "--ipv4",
                "2",
                "--ipv6",
                "2")
            .lines();
    cluster.ok("ipam", "assign", "--node", "node-2", "--handle", "other");

    IpamCluster.Run r = cluster.ok("ipam", "release", "--handle", "h2");

    assertThat(r.out()).isEqualTo("released 4 address(es) of handle h2\n");
    for (String ip : ips) {
      assertThat(cluster.ok("ipam", "show", "--ip", ip).out())
          .contains("is not currently assigned");
    }
    assertThat(cluster.ok("ipam", "show").lines().get(1)).contains("1 (0%)");
    // Releasing it again: the handle is gone.
    IpamCluster.Run again = cluster.run("ipam", "release", "--handle", "h2");
    assertThat(again.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(again.err()).isEqualTo("error: IPAMHandle \"h2\" not found\n");
  }

  @Test
  void oneBadAddressReleasesNoneAndChangesNothing() throws Exception {
    String ip = cluster.ok("ipam", "assign", "--node", "node-1", "--handle", "h1").lines().get(0);
    Path garbage = Files.writeString(dir.resolve("garbage.json"), "{\"blocks\": \"many\"");
    List<String> before = cluster.snapshot();

    record Case(int exit, String error, String... args) {}
    List<Case> cases =
        List.of(
            new Case(
                ExitCode.NOT_FOUND,
                "error: IP 10.10.0.250 is not allocated: nothing to release",
                "--ip",
                ip,
                "--ip",
                "10.10.0.250"),
            new Case(
                ExitCode.INVALID,
                "error: IP 198.51.100.1 is not inside any IPPool",
                "--ip",
                ip,
                "--ip",
                "198.51.100.1"),
            new Case(
                ExitCode.INVALID,
                "error: --ip \"10.10.0\" is not an IPv4 or IPv6 address",
                "--ip",
                "10.10.0"),
            new Case(
                ExitCode.NOT_FOUND, "error: IPAMHandle \"nobody\" not found", "--handle", "nobody"),
            new Case(
                ExitCode.NOT_FOUND,
                "error: --from-report " + dir.resolve("missing.json") + ": no such file",
                "--from-report",
                dir.resolve("missing.json").toString()),
            new Case(ExitCode.INVALID, null, "--from-report", garbage.toString()),
            new Case(ExitCode.USAGE, null),
            new Case(ExitCode.USAGE, null, "--ip", ip, "--handle", "h1"));
    for (Case c : cases) {
      String[] args = new String[c.args().length + 2];
      args[0] = "ipam";
      args[1] = "release";
      System.arraycopy(c.args(), 0, args, 2, c.args().length);
      IpamCluster.Run r = cluster.run(args);
      String what = String.join(" ", args) + " -> " + r;
      assertThat(r.exitCode()).as(what).isEqualTo(c.exit());
      assertThat(r.err().lines().toList()).as(what).hasSize(1);
      if (c.error() != null) assertThat(r.err()).as(what).isEqualTo(c.error() + "\n");
      assertThat(r.out()).as(what).isEmpty();
      assertThat(cluster.snapshot()).as("datastore after " + what).isEqualTo(before);
    }
    IpamCluster.Run garbled = cluster.run("ipam", "release", "--from-report", garbage.toString());
    assertThat(garbled.err())
        .startsWith("error: --from-report " + garbage + " is not an ipam check report: ");
  }

  @Test
  void aReportOfAnEarlierVersionWithoutAddressesOutsidePoolsIsRead() throws Exception {
    // IpamReport keeps addressesOutsidePools optional for reports written before it existed, but
    // the reader required every field, so such a report was refused.
    Path report = dir.resolve("old.json");
    cluster.ok("ipam", "check", "-o", report.toString());
    String old =
        Files.readString(report).replaceAll(",\\s*\"addressesOutsidePools\"[^\\]]*\\]", "");
    assertThat(old).doesNotContain("addressesOutsidePools");
    Files.writeString(report, old);
    assertThat(cluster.ok("ipam", "release", "--from-report", report.toString()).lines())
        .contains("repaired 0 item(s), skipped 0 item(s)");
  }

  @Test
  void aMalformedReportIsNamedByFieldAndRuleNotByJacksonsTypes() throws Exception {
    Path report = dir.resolve("report.json");
    cluster.ok("ipam", "check", "-o", report.toString());
    String good = Files.readString(report);
    record Case(String json, String problem) {}
    List<Case> cases =
        List.of(
            new Case(
                good.replaceFirst("\"blocks\" : \\d+", "\"blocks\" : \"many\""),
                "field blocks \"many\" must be an integer"),
            new Case(
                good.replaceFirst(
                    "\"allocationsWithoutHandle\" : \\[ \\]",
                    "\"allocationsWithoutHandle\" : [ {\"block\": \"10.10.0.0/26\"} ]"),
                "field allocationsWithoutHandle[0].ordinal is required"),
            new Case(
                good.replaceFirst("\"handleMismatches\" : \\[ \\]", "\"handleMismatches\" : null"),
                "field handleMismatches must not be null"),
            new Case(
                good.replaceFirst("\"blocks\"", "\"blockz\" : 1, \"blocks\""),
                "field blockz is not a field of an ipam check report"));
    for (Case c : cases) {
      assertThat(c.json()).isNotEqualTo(good);
      Files.writeString(report, c.json());
      IpamCluster.Run r = cluster.run("ipam", "release", "--from-report", report.toString());
      assertThat(r.exitCode()).as(c.json()).isEqualTo(ExitCode.INVALID);
      assertThat(r.err())
          .as(c.json())
          .isEqualTo(
              "error: --from-report "
                  + report
                  + " is not an ipam check report: "
                  + c.problem()
                  + "\n");
    }
  }
}
