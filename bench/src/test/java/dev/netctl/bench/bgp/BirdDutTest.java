package dev.netctl.bench.bgp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class BirdDutTest {
  @TempDir Path dir;

  @Test
  void rendersOnePassiveReflectorClientPerTesterBoundStrictlyToTheDutAddress() throws Exception {
    String conf = BirdDut.render(DutConfigFixture.setup(dir));
    assertThat(conf)
        .contains("local 127.0.3.1 port 18300 as 65000;")
        .contains("strict bind yes;")
        .contains("passive on;")
        .contains("rr client;")
        .contains("neighbor 127.3.0.1 as 65000;")
        .contains("neighbor 127.3.0.3 as 65000;");
    assertThat(conf.lines().filter(l -> l.startsWith("protocol bgp"))).hasSize(3);
  }

  @Test
  @Timeout(60)
  void birdAcceptsTheRenderedConfig() throws Exception {
    Path conf = dir.resolve("bird.conf");
    Files.writeString(conf, BirdDut.render(DutConfigFixture.setup(dir)));
    String result =
        DutConfigFixture.check(
            dir, "/usr/sbin/bird", List.of("/usr/sbin/bird", "-p", "-c", conf.toString()));
    assertThat(result).as("bird -p exit code and output").startsWith("0:");
  }
}
