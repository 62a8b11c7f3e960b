package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.Kind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpamSplitCommandTest {
  @TempDir Path dir;
  IpamCluster cluster;

  @BeforeEach
  void seed() {
    cluster =
        IpamCluster.embedded(dir)
            .pool("wide", "10.60.0.0/24", 26)
            .node("node-1", Map.of())
            .node("node-2", Map.of());
  }

  List<IPPool> pools() {
    List<IPPool> out = new ArrayList<>();
    cluster.withClient(c -> out.addAll(c.list(Kind.IP_POOL)));
    return out;
  }

  @Test
  void aLockedPoolSplitsIntoEqualPoolsThatKeepItsSettingsBlocksAndAddresses() {
    cluster.ok("patch", "ippool", "wide", "-p", "{\"spec\":{\"natOutgoing\":true}}");
    String a = cluster.ok("ipam", "assign", "--node", "node-1", "--handle", "h1").lines().get(0);
    String b = cluster.ok("ipam", "assign", "--node", "node-2", "--handle", "h2").lines().get(0);
    cluster.ok("datastore", "migrate", "lock");

    IpamCluster.Run split = cluster.ok("ipam", "split", "4", "--cidr", "10.60.0.0/24");

    assertThat(split.lines())
        .containsExactly(
            "ippool.netctl.dev/wide (10.60.0.0/24) split into:",
            "ippool.netctl.dev/split-10-60-0-0-26 created (10.60.0.0/26)",
            "ippool.netctl.dev/split-10-60-0-64-26 created (10.60.0.64/26)",
            "ippool.netctl.dev/split-10-60-0-128-26 created (10.60.0.128/26)",
            "ippool.netctl.dev/split-10-60-0-192-26 created (10.60.0.192/26)");
    assertThat(pools())
        .allSatisfy(
            p -> {
              assertThat(p.spec().natOutgoing()).as("natOutgoing kept").isTrue();
              assertThat(p.spec().blockSize()).isEqualTo(26);
            })
        .extracting(IPPool::name)
        .doesNotContain("wide")
        .hasSize(4);
    cluster.ok("datastore", "migrate", "unlock");
    assertThat(cluster.ok("ipam", "check").out()).contains("No problems found.");
    assertThat(cluster.ok("ipam", "show", "--ip", a).out()).contains("handle: h1");
    assertThat(cluster.ok("ipam", "show", "--ip", b).out()).contains("handle: h2");
    cluster.ok("ipam", "assign", "--node", "node-1", "--handle", "h3");
  }

  @Test
  void aSplitThatCannotBeDoneSaysWhyAndWritesNothing() {
    List<String> before = cluster.snapshot();
    IpamCluster.Run unlocked = cluster.run("ipam", "split", "2", "--name", "wide");
    assertThat(unlocked.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(unlocked.err()).contains("is not locked", "netctl datastore migrate lock");
    // A bad NUMBER or --cidr is told before the lock is asked for: locking the store only to
    // learn that the command line was wrong leaves every assignment blocked for nothing.
    IpamCluster.Run threeUnlocked = cluster.run("ipam", "split", "3", "--name", "wide");
    assertThat(threeUnlocked.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(threeUnlocked.err()).contains("NUMBER \"3\" must be a power of 2");
    IpamCluster.Run badCidr = cluster.run("ipam", "split", "2", "--cidr", "10.60.0.0/33");
    assertThat(badCidr.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(badCidr.err()).contains("--cidr \"10.60.0.0/33\"");
    assertThat(cluster.snapshot()).isEqualTo(before);

    cluster.ok("datastore", "migrate", "lock");
    List<String> locked = cluster.snapshot();
    IpamCluster.Run three = cluster.run("ipam", "split", "3", "--name", "wide");
    assertThat(three.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(three.err()).contains("NUMBER \"3\" must be a power of 2");
    IpamCluster.Run tooSmall = cluster.run("ipam", "split", "8", "--name", "wide");
    assertThat(tooSmall.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(tooSmall.err())
        .contains(
            "IPPool \"wide\": spec.cidr \"10.60.0.0/24\" cannot be split into 8: each part (/27)"
                + " must hold at least one block (spec.blockSize 26)");
    IpamCluster.Run both = cluster.run("ipam", "split", "2", "--name", "wide", "--cidr", "x");
    assertThat(both.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(both.err())
        .isEqualTo("error: --name=POOL, --cidr=CIDR are mutually exclusive (specify only one)\n");
    IpamCluster.Run missing = cluster.run("ipam", "split", "2", "--name", "nope");
    assertThat(missing.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(cluster.snapshot()).isEqualTo(locked);
  }
}
