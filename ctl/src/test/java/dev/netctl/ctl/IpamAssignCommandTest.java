package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.ipam.block.Cidr;
import java.net.Inet6Address;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpamAssignCommandTest {
  @TempDir Path dir;
  IpamCluster cluster;

  @BeforeEach
  void seed() {
    cluster = IpamCluster.embedded(dir).standard();
  }

  @Test
  void countedAssignPrintsOneAddressPerLineFromTheFamiliesPools() {
    List<String> ips =
        cluster
            .ok(
                "ipam",
                "assign",
                "--node",
                "node-1",
                "--handle",
                "h1",
                "--ipv4",
                "2",
                "--ipv6",
                "1")
            .lines();

    assertThat(ips).hasSize(3).doesNotHaveDuplicates();
    assertThat(ips.subList(0, 2))
        .allSatisfy(
            ip -> assertThat(Cidr.parse("10.10.0.0/24").contains(Cidr.parseAddress(ip))).isTrue());
    assertThat(Cidr.parseAddress(ips.get(2))).isInstanceOf(Inet6Address.class);
    assertThat(Cidr.parse("fd00:10::/120").contains(Cidr.parseAddress(ips.get(2)))).isTrue();
    for (String ip : ips) {
      assertThat(cluster.ok("ipam", "show", "--ip", ip).lines())
          .contains("IP " + ip + " is in use", "  handle: h1", "  node: node-1");
    }
  }

  @Test
  void withoutCountsOneIpv4AddressIsAssigned() {
    List<String> ips = cluster.ok("ipam", "assign", "--node", "node-2", "--handle", "h").lines();

    assertThat(ips).hasSize(1);
    assertThat(Cidr.parse("10.10.0.0/24").contains(Cidr.parseAddress(ips.get(0)))).isTrue();
  }

  @Test
  void aGivenAddressIsAssignedExactlyWithItsPodAttributes() {
    IpamCluster.Run r =
        cluster.ok(
            "ipam",
            "assign",
            "--node",
            "node-1",
            "--handle",
            "k8s-pod-network.x",
            "--ip",
            "10.10.0.200",
            "--pod",
            "db-0",
            "--namespace",
            "data");

    assertThat(r.out()).isEqualTo("10.10.0.200\n");
    assertThat(cluster.ok("ipam", "show", "--ip", "10.10.0.200").lines())
        .contains("  pod: db-0", "  namespace: data", "  node: node-1");
  }

  @Test
  void poolOptionRestrictsTheChoice() {
    cluster.pool("pool-b", "10.20.0.0/24", 26, "all()");

    List<String> ips =
        cluster
            .ok(
                "ipam",
                "assign",
                "--node",
                "node-3",
                "--handle",
                "h",
                "--ipv4",
                "2",
                "--pool",
                "pool-b")
            .lines();

    assertThat(ips).hasSize(2).allSatisfy(ip -> assertThat(ip).startsWith("10.20.0."));
  }

  @Test
  void anAddressAlreadyInUseIsRefusedAndNothingChanges() {
    cluster.ok("ipam", "assign", "--node", "node-1", "--handle", "h1", "--ip", "10.10.0.5");
    List<String> before = cluster.snapshot();

    IpamCluster.Run r =
        cluster.run("ipam", "assign", "--node", "node-2", "--handle", "h2", "--ip", "10.10.0.5");

    assertThat(r.exitCode()).isEqualTo(ExitCode.ALREADY_EXISTS);
    assertThat(r.err()).isEqualTo("error: IP 10.10.0.5 is already in use (handle \"h1\")\n");
    assertThat(r.out()).isEmpty();
    assertThat(cluster.snapshot()).isEqualTo(before);
  }

  /** One refused request: its exit code, the stderr line it must print, and its arguments. */
  record Refusal(int exitCode, String error, String... args) {}

  @Test
  void badInputIsOneErrorLineANonZeroExitAndAnUnchangedDatastore() {
    cluster.node("node-4", Map.of("zone", "a"));
    // A pool of one /30 block for zone c: four addresses, then exhausted.
    cluster.pool("tiny", "10.30.0.0/30", 30, "zone == 'c'").node("node-c", Map.of("zone", "c"));
    cluster.ok("ipam", "assign", "--node", "node-c", "--handle", "fill", "--ipv4", "4");

    List<Refusal> refusals =
        List.of(
            new Refusal(
                ExitCode.INVALID,
                "error: IP 192.0.2.7 is not inside any IPPool",
                "--node",
                "node-1",
                "--handle",
                "h",
                "--ip",
                "192.0.2.7"),
            new Refusal(
                ExitCode.INVALID,
                "error: --ip \"10.10.0.1.2\" is not an IPv4 or IPv6 address",
                "--node",
                "node-1",
                "--handle",
                "h",
                "--ip",
                "10.10.0.1.2"),
            new Refusal(
                ExitCode.INVALID,
                "error: --ip \"fd00::zz\" is not an IPv4 or IPv6 address",
                "--node",
                "node-1",
                "--handle",
                "h",
                "--ip",
                "fd00::zz"),
            new Refusal(
                ExitCode.NOT_FOUND,
                "error: ipam assign --node: Node \"ghost\" not found",
                "--node",
                "ghost",
                "--handle",
                "h"),
            new Refusal(
                ExitCode.NOT_FOUND,
                "error: ipam assign --node: Node \"ghost\" not found",
                "--node",
                "ghost",
                "--handle",
                "h",
                "--ip",
                "10.10.0.3"),
            new Refusal(
                ExitCode.INVALID,
                "error: no enabled IPv4 IPPool selects node \"node-3\" for use Workload (check the"
                    + " pools' nodeSelector, allowedUses and disabled fields)",
                "--node",
                "node-3",
                "--handle",
                "h",
                "--ipv4",
                "1"),
            new Refusal(
                ExitCode.EXHAUSTED, null, "--node", "node-c", "--handle", "h", "--ipv4", "1"),
            new Refusal(
                ExitCode.NOT_FOUND, // as an unknown --node
                "error: IPPool \"nope\" named by the request for handle \"h\" does not exist",
                "--node",
                "node-1",
                "--handle",
                "h",
                "--pool",
                "nope"),
            new Refusal(
                ExitCode.INVALID,
                "error: ipam assign --ip 10.10.0.3 is in IPPool \"pool-a\", not in --pool [tiny]",
                "--node",
                "node-1",
                "--handle",
                "h",
                "--ip",
                "10.10.0.3",
                "--pool",
                "tiny"),
            new Refusal(
                ExitCode.INVALID,
                "error: assign request for handle \"h\": counts v4=0 v6=0 must be >= 0 and not both"
                    + " 0",
                "--node",
                "node-1",
                "--handle",
                "h",
                "--ipv4",
                "0"),
            new Refusal(
                ExitCode.USAGE,
                "error: ipam assign: give either --ip or --ipv4/--ipv6 counts, not both",
                "--node",
                "node-1",
                "--handle",
                "h",
                "--ip",
                "10.10.0.3",
                "--ipv4",
                "1"),
            new Refusal(
                ExitCode.USAGE,
                "error: Missing required option: '--handle=HANDLE'",
                "--node",
                "node-1"));

    List<String> before = cluster.snapshot();
    for (Refusal f : refusals) {
      String[] args = new String[f.args().length + 2];
      args[0] = "ipam";
      args[1] = "assign";
      System.arraycopy(f.args(), 0, args, 2, f.args().length);
      IpamCluster.Run r = cluster.run(args);
      String what = String.join(" ", args) + " -> " + r;
      assertThat(r.exitCode()).as(what).isEqualTo(f.exitCode());
      assertThat(r.err().lines().toList()).as(what).hasSize(1);
      if (f.error() != null) assertThat(r.err()).as(what).isEqualTo(f.error() + "\n");
      assertThat(r.out()).as(what).isEmpty();
      assertThat(cluster.snapshot()).as("datastore after " + what).isEqualTo(before);
    }
  }

  @Test
  void exhaustedPoolNamesTheNodeAndTheFamily() {
    cluster.pool("tiny", "10.30.0.0/30", 30, "zone == 'c'").node("node-c", Map.of("zone", "c"));
    cluster.ok("ipam", "assign", "--node", "node-c", "--handle", "fill", "--ipv4", "3");

    IpamCluster.Run r =
        cluster.run("ipam", "assign", "--node", "node-c", "--handle", "h", "--ipv4", "2");

    assertThat(r.exitCode()).isEqualTo(ExitCode.EXHAUSTED);
    assertThat(r.err())
        .startsWith("error: cannot assign 2 IPv4 address(es) on node \"node-c\": only 1 available");
    // All or nothing: the one free address was not taken.
    assertThat(
            cluster
                .ok("ipam", "assign", "--node", "node-c", "--handle", "h", "--ipv4", "1")
                .lines())
        .hasSize(1);
  }
}
