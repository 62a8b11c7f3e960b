package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netctl.ipam.block.AllocationAttribute;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.store.Versioned;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpamShowCommandTest {
  @TempDir Path dir;
  IpamCluster cluster;

  @BeforeEach
  void seed() {
    cluster = IpamCluster.embedded(dir).standard();
  }

  /** The cells of a table line (columns are separated by 3+ spaces; cells hold single spaces). */
  static List<String> cells(String line) {
    return Arrays.asList(line.trim().split(" {3,}"));
  }

  @Test
  void usageTableHasOnePoolRowPerPoolWithCountsAndWholePercentages() {
    cluster.ok("ipam", "assign", "--node", "node-1", "--handle", "h1", "--ipv4", "3");

    List<String> lines = cluster.ok("ipam", "show").lines();

    assertThat(cells(lines.get(0)))
        .containsExactly("GROUPING", "CIDR", "IPS TOTAL", "IPS IN USE", "IPS RESERVED", "IPS FREE");
    assertThat(lines).hasSize(3);
    assertThat(cells(lines.get(1)))
        .containsExactly("IP Pool", "10.10.0.0/24", "256", "3 (1%)", "0 (0%)", "253 (99%)");
    assertThat(cells(lines.get(2)))
        .containsExactly("IP Pool", "fd00:10::/120", "256", "0 (0%)", "0 (0%)", "256 (100%)");
  }

  @Test
  void showBlocksAddsEachBlockUnderItsPool() {
    cluster.ok("ipam", "assign", "--node", "node-1", "--handle", "h1", "--ipv4", "3");
    cluster.ok(
        "ipam", "assign", "--node", "node-2", "--handle", "h2", "--ipv4", "1", "--ipv6", "1");

    List<String> lines = cluster.ok("ipam", "show", "--show-blocks").lines();

    assertThat(lines).hasSize(1 + 1 + 2 + 1 + 1);
    assertThat(cells(lines.get(1)))
        .containsExactly("IP Pool", "10.10.0.0/24", "256", "4 (2%)", "0 (0%)", "252 (98%)");
    List<List<String>> v4Blocks = List.of(cells(lines.get(2)), cells(lines.get(3)));
    // Each node claimed its own /26; 3 of 64 is 4.69% -> 5%, 1 of 64 is 1.56% -> 2%.
    assertThat(v4Blocks).allSatisfy(b -> assertThat(b.get(0)).isEqualTo("Block"));
    assertThat(v4Blocks.stream().map(b -> b.subList(2, 6)).toList())
        .containsExactlyInAnyOrder(
            List.of("64", "3 (5%)", "0 (0%)", "61 (95%)"),
            List.of("64", "1 (2%)", "0 (0%)", "63 (98%)"));
    assertThat(cells(lines.get(4)))
        .containsExactly("IP Pool", "fd00:10::/120", "256", "1 (0%)", "0 (0%)", "255 (100%)");
    assertThat(cells(lines.get(5)).subList(2, 6))
        .containsExactly("64", "1 (2%)", "0 (0%)", "63 (98%)");
    assertThat(cells(lines.get(5)).get(1)).startsWith("fd00:10::").endsWith("/122");
  }

  @Test
  void showBlocksListsADeletedPoolsBlockThatStillHoldsAddresses() throws Exception {
    cluster.ok("ipam", "assign", "--node", "node-1", "--handle", "h1", "--ipv4", "2");
    cluster.ok("delete", "ippool", "pool-a");

    List<String> lines = cluster.ok("ipam", "show", "--show-blocks").lines();

    assertThat(lines).hasSize(1 + 1 + 1);
    assertThat(cells(lines.get(1)).subList(0, 2)).containsExactly("IP Pool", "fd00:10::/120");
    List<String> orphan = cells(lines.get(2));
    assertThat(orphan)
        .as("the block of the deleted pool, still holding 2 addresses, is not left out")
        .hasSize(6)
        .startsWith("Block (no pool)")
        .endsWith("64", "2 (3%)", "0 (0%)", "62 (97%)");
    assertThat(orphan.get(1)).startsWith("10.10.0.").endsWith("/26");

    // Its reserved addresses are counted like a pool's block's.
    Path r = dir.resolve("r.yaml");
    Files.writeString(
        r,
        """
        apiVersion: projectcalico.org/v3
        kind: IPReservation
        metadata: {name: all-of-it}
        spec: {reservedCIDRs: [10.10.0.0/16]}
        """);
    cluster.ok("create", "-f", r.toString());
    assertThat(cells(cluster.ok("ipam", "show", "--show-blocks").lines().get(2)))
        .endsWith("64", "2 (3%)", "64 (100%)", "0 (0%)");
  }

  @Test
  void shareRoundsToWholePercentsAndHandlesHugeTotals() {
    assertThat(IpamShowCommand.share(BigInteger.valueOf(1), BigInteger.valueOf(3)))
        .isEqualTo("1 (33%)");
    assertThat(IpamShowCommand.share(BigInteger.valueOf(1), BigInteger.valueOf(2)))
        .isEqualTo("1 (50%)");
    assertThat(IpamShowCommand.share(BigInteger.ZERO, BigInteger.ZERO)).isEqualTo("0 (0%)");
    BigInteger v6 = BigInteger.ONE.shiftLeft(80);
    assertThat(IpamShowCommand.share(v6.subtract(BigInteger.TEN), v6))
        .isEqualTo(v6.subtract(BigInteger.TEN) + " (100%)");
  }

  @Test
  void ipInUsePrintsItsAttributes() {
    String ip =
        cluster
            .ok(
                "ipam",
                "assign",
                "--node",
                "node-1",
                "--handle",
                "k8s-pod-network.abc",
                "--pod",
                "web-0",
                "--namespace",
                "shop")
            .lines()
            .get(0);

    IpamCluster.Run r = cluster.ok("ipam", "show", "--ip", ip);

    assertThat(r.lines().get(0)).isEqualTo("IP " + ip + " is in use");
    assertThat(r.lines())
        .contains(
            "Attributes:",
            "  handle: k8s-pod-network.abc",
            "  pod: web-0",
            "  namespace: shop",
            "  node: node-1",
            "  block owner: node-1");
  }

  @Test
  void ipInAPoolButFreeIsNotCurrentlyAssigned() {
    IpamCluster.Run r = cluster.ok("ipam", "show", "--ip", "10.10.0.77");

    assertThat(r.out()).isEqualTo("IP 10.10.0.77 is not currently assigned\n");
  }

  @Test
  void ipOutsideEveryPoolOrMalformedIsOneErrorLine() {
    IpamCluster.Run outside = cluster.run("ipam", "show", "--ip", "192.0.2.1");
    assertThat(outside.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(outside.err()).isEqualTo("error: IP 192.0.2.1 is not inside any IPPool\n");

    IpamCluster.Run malformed = cluster.run("ipam", "show", "--ip", "10.10.0.300");
    assertThat(malformed.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(malformed.err())
        .isEqualTo("error: --ip \"10.10.0.300\" is not an IPv4 or IPv6 address\n");
    assertThat(malformed.out()).isEmpty();
  }

  @Test
  void showBorrowedListsAddressesAssignedOnAnotherNodeThanTheBlockOwner() {
    String owned =
        cluster.ok("ipam", "assign", "--node", "node-1", "--handle", "h1").lines().get(0);
    // node-2 takes an address inside node-1's block: borrowed.
    int last = Integer.parseInt(owned.substring(owned.lastIndexOf('.') + 1));
    int base = last & ~63;
    String borrowedIp = "10.10.0." + (base + 5);
    String block = "10.10.0." + base + "/26";
    cluster.ok(
        "ipam",
        "assign",
        "--node",
        "node-2",
        "--handle",
        "ipip-tunnel-addr-node-2",
        "--ip",
        borrowedIp);

    List<String> lines = cluster.ok("ipam", "show", "--show-borrowed").lines();

    assertThat(cells(lines.get(0)))
        .containsExactly(
            "IP", "BORROWING-NODE", "BLOCK", "BLOCK OWNER", "TYPE", "HANDLE", "ALLOCATED-TO");
    assertThat(lines).hasSize(2);
    assertThat(cells(lines.get(1)))
        .containsExactly(
            borrowedIp,
            "node-2",
            block,
            "node-1",
            "ipipTunnelAddress",
            "ipip-tunnel-addr-node-2",
            "ipip-tunnel-addr-node-2");
  }

  @Test
  void showBorrowedListsAnAddressOfADeletedPoolsOwnerlessBlockAsCalicoctlDoes() {
    // calicoctl's getBorrowedIPs lists "an IP allocated from a block with no Affinity" with an
    // empty BLOCK OWNER: no node owns the block, so every address in it is held on a node that is
    // not its owner. Deleting a pool that still holds addresses leaves exactly such a block.
    String ip = cluster.ok("ipam", "assign", "--node", "node-1", "--handle", "h1").lines().get(0);
    cluster.ok("delete", "ippool", "pool-a");

    List<String> lines = cluster.ok("ipam", "show", "--show-borrowed").lines();

    assertThat(lines).hasSize(2);
    List<String> row = cells(lines.get(1));
    assertThat(row).hasSize(7).startsWith(ip, "node-1");
    assertThat(row.get(2)).startsWith("10.10.0.").endsWith("/26");
    assertThat(row.subList(3, 7)).containsExactly("<none>", "handle", "h1", "h1");
  }

  @Test
  void anAllocationThatRecordsNoNodeIsNeitherBorrowedNorHiddenButCounted() {
    // Calico's oldest allocations carry no node attribute; calicoctl counts them in a note
    // rather than guessing whether they are borrowed.
    Block b = Block.empty(Cidr.parse("10.10.0.0/26"), "node-1");
    b.allocate(2, new AllocationAttribute("old", null, null, null));
    b.allocate(1, new AllocationAttribute("h2", null, null, "node-2"));
    List<Versioned<AllocationBlock>> blocks = List.of(new Versioned<>(b.toRecord(), 1));

    assertThat(IpamShowCommand.borrowed(blocks))
        .extracting(b2 -> b2.handle())
        .containsExactly("h2");
    assertThat(IpamShowCommand.withoutNode(blocks)).isEqualTo(2);
  }

  @Test
  void showConfigurationPrintsDefaultsThenStoredValues() {
    assertThat(cluster.ok("ipam", "show", "--show-configuration").lines())
        .map(IpamShowCommandTest::cells)
        .containsExactly(
            List.of("PROPERTY", "VALUE"),
            List.of("StrictAffinity", "false"),
            List.of("AutoAllocateBlocks", "true"),
            List.of("MaxBlocksPerHost", "0"));

    cluster.ok("ipam", "configure", "--strict-affinity=true", "--max-blocks-per-host=3");

    assertThat(cluster.ok("ipam", "show", "--show-configuration").lines())
        .map(IpamShowCommandTest::cells)
        .contains(List.of("StrictAffinity", "true"), List.of("MaxBlocksPerHost", "3"));
  }

  @Test
  void jsonOutputCarriesTheSameNumbers() throws Exception {
    cluster.ok("ipam", "assign", "--node", "node-1", "--handle", "h1", "--ipv4", "2");
    ObjectMapper json = new ObjectMapper();

    JsonNode pools = json.readTree(cluster.ok("ipam", "show", "-o", "json").out());
    assertThat(pools).hasSize(2);
    assertThat(pools.get(0).get("name").asText()).isEqualTo("pool-a");
    assertThat(pools.get(0).get("inUse").asLong()).isEqualTo(2);
    assertThat(pools.get(0).get("free").asLong()).isEqualTo(254);
    assertThat(pools.get(0).get("blocks").get(0).get("node").asText()).isEqualTo("node-1");

    JsonNode ip =
        json.readTree(cluster.ok("ipam", "show", "--ip", "10.10.0.1", "-o", "json").out());
    assertThat(ip.get("pool").asText()).isEqualTo("pool-a");

    JsonNode conf =
        json.readTree(cluster.ok("ipam", "show", "--show-configuration", "-o", "json").out());
    assertThat(conf.get("maxBlocksPerHost").asInt()).isZero();

    assertThat(json.readTree(cluster.ok("ipam", "show", "--show-borrowed", "-o", "json").out()))
        .isEmpty();
  }

  @Test
  void viewsAreExclusiveAndUnknownFormatsRejected() {
    IpamCluster.Run both = cluster.run("ipam", "show", "--ip", "10.10.0.1", "--show-borrowed");
    assertThat(both.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(both.err()).startsWith("error: ipam show: --ip, --show-borrowed");

    assertThat(cluster.run("ipam", "show", "--show-blocks", "--show-configuration").exitCode())
        .isEqualTo(ExitCode.USAGE);
    IpamCluster.Run yaml = cluster.run("ipam", "show", "-o", "yaml");
    assertThat(yaml.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(yaml.err()).contains("yaml");
  }
}
