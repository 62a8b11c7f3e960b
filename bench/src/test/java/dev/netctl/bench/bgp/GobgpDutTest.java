package dev.netctl.bench.bgp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class GobgpDutTest {
  @TempDir Path dir;

  @Test
  void rendersOnePassiveReflectorClientPerTester() throws Exception {
    String conf = GobgpDut.render(DutConfigFixture.setup(dir));
    assertThat(conf)
        .contains("port = 18300")
        .contains("local-address-list = [\"127.0.3.1\"]")
        .contains("neighbor-address = \"127.3.0.2\"");
    assertThat(conf.lines().filter(l -> l.equals("[[neighbors]]"))).hasSize(3);
    assertThat(conf.lines().filter(l -> l.trim().equals("passive-mode = true"))).hasSize(3);
    assertThat(conf.lines().filter(l -> l.trim().equals("route-reflector-client = true")))
        .hasSize(3);
  }

  @Test
  @Timeout(60)
  void gobgpdAcceptsTheRenderedConfig() throws Exception {
    Path conf = dir.resolve("gobgpd.toml");
    Files.writeString(conf, GobgpDut.render(DutConfigFixture.setup(dir)));
    String result =
        DutConfigFixture.check(
            dir, "/usr/bin/gobgpd", List.of("/usr/bin/gobgpd", "-d", "-f", conf.toString()));
    assertThat(result).as("gobgpd --dry-run exit code and output").startsWith("0:");
  }
}
