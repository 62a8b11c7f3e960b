package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.model.IPAMConfig;
import dev.netctl.datastore.model.IPAMConfigSpec;
import dev.netctl.datastore.model.Kind;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpamConfigureCommandTest {
  @TempDir Path dir;
  IpamCluster cluster;

  @BeforeEach
  void seed() {
    cluster = IpamCluster.embedded(dir).standard();
  }

  IPAMConfigSpec stored() {
    AtomicReference<IPAMConfigSpec> spec = new AtomicReference<>();
    cluster.withClient(
        c ->
            spec.set(
                c.find(Kind.IPAM_CONFIG, IPAMConfig.DEFAULT_NAME)
                    .map(IPAMConfig::spec)
                    .orElse(null)));
    return spec.get();
  }

  @Test
  void createsTheDefaultIpamConfigThenUpdatesOnlyTheNamedSettings() {
    assertThat(stored()).isNull();

    IpamCluster.Run created =
        cluster.ok("ipam", "configure", "--strict-affinity=true", "--max-blocks-per-host=2");
    assertThat(created.lines().get(0)).isEqualTo("ipamconfig.netctl.dev/default created");
    assertThat(stored()).isEqualTo(new IPAMConfigSpec(true, true, 2));

    IpamCluster.Run updated = cluster.ok("ipam", "configure", "--auto-allocate-blocks=false");
    assertThat(updated.lines().get(0)).isEqualTo("ipamconfig.netctl.dev/default configured");
    assertThat(updated.lines())
        .map(IpamShowCommandTest::cells)
        .contains(List.of("AutoAllocateBlocks", "false"), List.of("MaxBlocksPerHost", "2"));
    assertThat(stored()).isEqualTo(new IPAMConfigSpec(true, false, 2));

    List<String> before = cluster.snapshot();
    IpamCluster.Run same = cluster.ok("ipam", "configure", "--strict-affinity=true");
    assertThat(same.lines().get(0)).isEqualTo("ipamconfig.netctl.dev/default unchanged");
    assertThat(cluster.snapshot()).isEqualTo(before);
  }

  @Test
  void calicoctlsSpellingOfStrictAffinityIsAccepted() {
    // calicoctl ipam configure --strictaffinity=true: a Calico user's muscle memory.
    cluster.ok("ipam", "configure", "--strictaffinity=true");
    assertThat(stored()).isEqualTo(new IPAMConfigSpec(true, true, 0));
  }

  @Test
  void strictAffinityStopsBorrowingFromAnotherNodesBlock() {
    // Two /30 blocks; each node may own one.
    cluster
        .pool("small", "10.40.0.0/29", 30, "zone == 'c'")
        .node("c-1", Map.of("zone", "c"))
        .node("c-2", Map.of("zone", "c"));
    cluster.ok("ipam", "configure", "--max-blocks-per-host=1", "--strict-affinity=false");
    cluster.ok("ipam", "assign", "--node", "c-1", "--handle", "fill-1", "--ipv4", "4");
    cluster.ok("ipam", "assign", "--node", "c-2", "--handle", "fill-2", "--ipv4", "1");

    String borrowed =
        cluster.ok("ipam", "assign", "--node", "c-1", "--handle", "more").lines().get(0);
    assertThat(cluster.ok("ipam", "show", "--show-borrowed").out())
        .contains(borrowed)
        .contains("c-1")
        .contains("c-2");

    cluster.ok("ipam", "configure", "--strict-affinity=true");
    List<String> before = cluster.snapshot();
    IpamCluster.Run refused = cluster.run("ipam", "assign", "--node", "c-1", "--handle", "more2");
    assertThat(refused.exitCode()).isEqualTo(ExitCode.EXHAUSTED);
    assertThat(cluster.snapshot()).isEqualTo(before);
  }

  @Test
  void badSettingsAreRefusedAndNothingIsWritten() {
    List<String> before = cluster.snapshot();

    IpamCluster.Run negative = cluster.run("ipam", "configure", "--max-blocks-per-host=-1");
    assertThat(negative.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(negative.err())
        .isEqualTo(
            "error: IPAMConfig default: --max-blocks-per-host -1 must be 0 (unlimited) or more\n");

    IpamCluster.Run notBool = cluster.run("ipam", "configure", "--strict-affinity=maybe");
    assertThat(notBool.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(notBool.err()).contains("--strict-affinity").contains("maybe");

    IpamCluster.Run nothing = cluster.run("ipam", "configure");
    assertThat(nothing.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(nothing.err()).startsWith("error: ipam configure: give at least one of");

    assertThat(cluster.snapshot()).isEqualTo(before);
  }
}
