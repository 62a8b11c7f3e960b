package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netctl.ipam.block.AllocationAttribute;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.store.Versioned;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpamCheckCommandTest {
  @TempDir Path dir;
  IpamCluster cluster;

  @BeforeEach
  void seed() {
    cluster = IpamCluster.embedded(dir).standard();
  }

  /**
   * Plants an allocation whose handle has no record, written straight into the block as a crashed
   * writer (block written, handle never) would leave it.
   */
  static void plantLeak(IpamCluster cluster, String address, String handle) {
    cluster.withIpamStore(
        store -> {
          Cidr cidr = Cidr.parse("10.10.0.0/24").blockContaining(Cidr.parseAddress(address), 26);
          Versioned<AllocationBlock> v = store.block(cidr).orElseThrow();
          Block b = Block.of(v.value());
          b.allocateAddress(
              Cidr.parseAddress(address), new AllocationAttribute(handle, null, null, "node-1"));
          store.updateBlock(b.toRecord(), v.revision());
        });
  }

  @Test
  void aCleanStoreExitsZero() {
    cluster.ok(
        "ipam", "assign", "--node", "node-1", "--handle", "h1", "--ipv4", "2", "--ipv6", "1");

    IpamCluster.Run r = cluster.run("ipam", "check");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.OK);
    assertThat(r.lines())
        .containsExactly(
            "Checked 2 block(s), 2 affinity record(s), 1 handle(s); 3 address(es) in use.",
            "No problems found.");
  }

  @Test
  void addressesLeftInUseByADeletedPoolAreReportedAndLeftByTheRepair() throws Exception {
    cluster.pool("gone", "10.99.0.0/24", 26);
    List<String> ips =
        cluster.ok("ipam assign --node node-1 --handle h1 --ipv4 2 --pool gone".split(" ")).lines();
    Cidr block = Cidr.parse("10.99.0.0/24").blockContaining(Cidr.parseAddress(ips.get(0)), 26);
    cluster.ok("delete", "ippool", "gone");
    Path report = dir.resolve("report.json");

    assertThat(checkFindingProblems(report))
        .contains(
            "Found 1 problem(s):",
            "  blocks with addresses in use outside every IP pool (left by repair: they are in use): 1",
            "    block " + block + ": " + String.join(", ", ips));
    assertThat(cluster.ok("ipam", "release", "--from-report", report.toString()).lines())
        .containsExactly(
            "left block " + block + ": 2 address(es) in use outside every IP pool",
            "repaired 0 item(s), skipped 0 item(s)");
    assertThat(cluster.run("ipam", "check").exitCode()).isEqualTo(ExitCode.PROBLEMS_FOUND);
  }

  // `ipam check -o report`, which must exit PROBLEMS_FOUND; its output lines.
  private List<String> checkFindingProblems(Path report) {
    IpamCluster.Run found = cluster.run("ipam", "check", "-o", report.toString());
    assertThat(found.exitCode()).as(found.toString()).isEqualTo(ExitCode.PROBLEMS_FOUND);
    return found.lines();
  }

  @Test
  void aLeakedAllocationIsFoundReportedAndRepairedFromTheReport() throws Exception {
    String ip = cluster.ok("ipam", "assign", "--node", "node-1", "--handle", "h1").lines().get(0);
    String leaked =
        ip.substring(0, ip.lastIndexOf('.') + 1)
            + (Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1)) + 7);
    plantLeak(cluster, leaked, "ghost");
    Path report = dir.resolve("report.json");

    IpamCluster.Run found = cluster.run("ipam", "check", "-o", report.toString());

    assertThat(found.exitCode()).as(found.toString()).isEqualTo(ExitCode.PROBLEMS_FOUND);
    assertThat(found.lines())
        .contains(
            "Found 1 problem(s):",
            "  allocations without a handle (leaked): 1",
            "    "
                + leaked
                + " in block "
                + Cidr.parse("10.10.0.0/24").blockContaining(Cidr.parseAddress(leaked), 26)
                + " held by missing handle ghost on node node-1",
            "  handle counts that disagree with the blocks: 0",
            "Report written to " + report);
    JsonNode json = new ObjectMapper().readTree(Files.readString(report));
    assertThat(json.get("allocationsWithoutHandle").get(0).get("address").asText())
        .isEqualTo(leaked);

    IpamCluster.Run repaired = cluster.ok("ipam", "release", "--from-report", report.toString());
    assertThat(repaired.lines())
        .containsExactly(
            "fixed leaked " + leaked + " (handle ghost)", "repaired 1 item(s), skipped 0 item(s)");

    assertThat(cluster.run("ipam", "check").exitCode()).isEqualTo(ExitCode.OK);
    assertThat(cluster.ok("ipam", "show", "--ip", leaked).out())
        .contains("is not currently assigned");
    // The legitimate address is untouched.
    assertThat(cluster.ok("ipam", "show", "--ip", ip).out()).contains("is in use");

    // Replaying the same report later changes nothing: every item is re-validated.
    List<String> before = cluster.snapshot();
    IpamCluster.Run replay = cluster.ok("ipam", "release", "--from-report", report.toString());
    assertThat(replay.lines()).contains("repaired 0 item(s), skipped 1 item(s)");
    assertThat(cluster.snapshot()).isEqualTo(before);
  }

  @Test
  void aBlockOfADeletedNodeIsFoundAndReleased() {
    List<String> ips =
        cluster.ok("ipam", "assign", "--node", "node-2", "--handle", "h2", "--ipv4", "2").lines();
    cluster.ok("ipam", "assign", "--node", "node-1", "--handle", "h1");
    cluster.deleteNode("node-2");
    Path report = dir.resolve("dead.json");

    IpamCluster.Run found = cluster.run("ipam", "check", "--output", report.toString());

    assertThat(found.exitCode()).isEqualTo(ExitCode.PROBLEMS_FOUND);
    assertThat(found.out())
        .contains("  blocks of nodes that no longer exist: 1")
        .contains("of node node-2 (2 in use)");

    cluster.ok("ipam", "release", "--from-report", report.toString());

    IpamCluster.Run after = cluster.run("ipam", "check");
    assertThat(after.exitCode()).as(after.toString()).isEqualTo(ExitCode.OK);
    for (String ip : ips) {
      assertThat(cluster.ok("ipam", "show", "--ip", ip).out())
          .contains("is not currently assigned");
    }
  }

  @Test
  void anUnwritableReportPathIsAnErrorButTheSummaryIsStillPrinted() {
    IpamCluster.Run r =
        cluster.run("ipam", "check", "-o", dir.resolve("no/such/dir/r.json").toString());

    assertThat(r.exitCode()).isEqualTo(ExitCode.ERROR);
    assertThat(r.out()).contains("No problems found.");
    assertThat(r.err())
        .startsWith(
            "error: ipam check -o "
                + dir.resolve("no/such/dir/r.json")
                + ": cannot write the report");
  }
}
