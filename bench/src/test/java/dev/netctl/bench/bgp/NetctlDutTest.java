package dev.netctl.bench.bgp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.speaker.Neighbor;
import dev.netctl.ctl.bgp.SpeakerConfigReader;
import dev.netctl.ctl.bgp.SpeakerPlan;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetctlDutTest {
  @TempDir Path dir;

  @Test
  void theRenderedConfigIsAcceptedByBgpRunWithEveryTesterAPassiveReflectorClient()
      throws Exception {
    DutSetup s = DutConfigFixture.setup(dir);
    SpeakerPlan plan = SpeakerConfigReader.parse("dut.yaml", NetctlDut.render(s), true);
    assertThat(plan.routerId()).isEqualTo(s.address());
    assertThat(plan.asNumber()).isEqualTo(65000);
    assertThat(plan.listen().getAddress()).isEqualTo(s.address());
    assertThat(plan.listen().getPort()).isEqualTo(18300);
    assertThat(plan.admin()).isEqualTo(new java.net.InetSocketAddress(s.address(), 0));
    assertThat(plan.peers()).hasSize(3);
    for (Neighbor n : plan.peers()) {
      assertThat(n.routeReflectorClient()).as("rr client %s", n).isTrue();
      assertThat(n.spec().passive()).as("passive %s", n).isTrue();
      assertThat(n.spec().config().internal()).as("iBGP %s", n).isTrue();
    }
    assertThat(plan.peers().stream().map(n -> n.spec().remote().getAddress()).toList())
        .isEqualTo(s.clients());
  }

  @Test
  void theHeapGrowsWithTheRoutesItWillHold() throws Exception {
    DutSetup small = DutConfigFixture.setup(dir);
    DutSetup bulk =
        new DutSetup(small.address(), small.port(), small.asn(), small.clients(), 1_000_000, dir);
    assertThat(NetctlDut.heapMegabytes(small)).isGreaterThanOrEqualTo(64);
    assertThat(NetctlDut.heapMegabytes(bulk))
        .as("a million routes at 30 B or more each")
        .isGreaterThan(NetctlDut.heapMegabytes(small) + 30);
  }

  @Test
  void aLargeTableGetsItsWholeHeapAndAFixedQuarterYoungGenerationFromTheStart() throws Exception {
    DutSetup small = DutConfigFixture.setup(dir);
    DutSetup bulk =
        new DutSetup(small.address(), small.port(), small.asn(), small.clients(), 1_000_000, dir);
    Path conf = dir.resolve("dut.yaml");
    assertThat(NetctlDut.command(bulk, conf, Path.of("netctl.jar")))
        .contains("-Xmn" + NetctlDut.heapMegabytes(bulk) / 4 + "m")
        .contains("-Xms" + NetctlDut.heapMegabytes(bulk) + "m");
    assertThat(NetctlDut.command(small, conf, Path.of("netctl.jar")))
        .contains("-XX:NewRatio=3", "-Xms16m")
        .noneMatch(a -> a.startsWith("-Xmn"));
  }

  @Test
  void runsTheShadedCliJarsBgpRunInItsOwnJvm() throws Exception {
    DutSetup s = DutConfigFixture.setup(dir);
    List<String> cmd = NetctlDut.command(s, dir.resolve("dut.yaml"), Path.of("netctl.jar"));
    assertThat(cmd)
        .contains("-XX:+UseSerialGC", "-jar", "bgp", "run", "--config")
        .contains("-Xmx" + NetctlDut.heapMegabytes(s) + "m");
    assertThat(cmd.getLast()).isEqualTo(dir.resolve("dut.yaml").toString());
  }
}
