package dev.netctl.bench.bgp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class FrrDutTest {
  @TempDir Path dir;

  @Test
  void putsEveryTesterInOnePassiveReflectorClientPeerGroup() throws Exception {
    String conf = FrrDut.render(DutConfigFixture.setup(dir), false);
    assertThat(conf)
        .contains("router bgp 65000")
        .contains(" neighbor CLIENTS passive")
        .contains("  neighbor CLIENTS route-reflector-client")
        .doesNotContain("coalesce-time");
    assertThat(conf.lines().filter(l -> l.endsWith(" peer-group CLIENTS"))).hasSize(3);
  }

  @Test
  void theTunedVariantDropsTheCoalesceDelay() throws Exception {
    assertThat(FrrDut.render(DutConfigFixture.setup(dir), true)).contains(" coalesce-time 0\n");
    assertThat(new FrrDut(true).name()).isEqualTo("frr-tuned");
  }

  @Test
  @Timeout(60)
  void bgpdAcceptsTheRenderedConfig() throws Exception {
    Path conf = dir.resolve("bgpd.conf");
    Files.writeString(conf, FrrDut.render(DutConfigFixture.setup(dir), true));
    String result =
        DutConfigFixture.check(
            dir,
            "/usr/lib/frr/bgpd",
            List.of(
                "/usr/lib/frr/bgpd",
                "-C",
                "-Z",
                "-S",
                // No listener: a dry run still binds port 179, which another speaker on this
                // machine may hold ("Address already in use", exit 255).
                "-p",
                "0",
                "-f",
                conf.toString(),
                "--vty_socket",
                dir.toString()));
    // bgpd --dryrun exits 0 even on unknown commands; it reports them as "[EC ...] No such command"
    assertThat(result)
        .as("bgpd --dryrun exit code and output")
        .startsWith("0:")
        .doesNotContain("[EC ");
  }
}
