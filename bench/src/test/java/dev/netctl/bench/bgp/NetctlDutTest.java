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
    assertThat(plan.admin())
        .isEqualTo(java.net.UnixDomainSocketAddress.of(dir.resolve(NetctlDut.ADMIN_SOCKET)));
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
  void runsBgpRunThroughTheLauncherWithItsOwnDefaultsAndNoJvmFlags() throws Exception {
    Path conf = dir.resolve("dut.yaml");
    List<String> cmd = NetctlDut.command(conf, Path.of("netctl"));
    assertThat(cmd)
        .containsExactly(
            Path.of("netctl").toAbsolutePath().toString(),
            "bgp",
            "run",
            "--config",
            conf.toString());
  }
}
