package dev.netctl.ctl.bgp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.Prefix;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The order of {@code bgp routes}: by peer, prefix and path id, each by value, not by text. */
class StandaloneSpeakerTest {
  private static StandaloneSpeaker.Row row(String peer, String prefix, int pathId) {
    return new StandaloneSpeaker.Row(
        InetAddress.ofLiteral(peer), new Nlri(pathId, Prefix.parse(prefix)), null);
  }

  @Test
  void routesAreSortedByValueNotByText() {
    List<StandaloneSpeaker.Row> expected =
        List.of(
            row("127.0.0.2", "10.9.0.0/16", 0),
            row("127.0.0.2", "10.10.0.0/16", 0),
            row("127.0.0.2", "10.92.0.0/24", 0),
            row("127.0.0.2", "10.92.0.0/26", 1),
            row("127.0.0.2", "10.92.0.0/26", 2),
            row("127.0.0.2", "10.100.0.0/16", 0),
            row("127.0.0.2", "2001:db8:9::/48", 0),
            row("127.0.0.2", "2001:db8:10::/48", 0),
            row("127.0.0.10", "10.0.0.0/8", 0),
            row("::1", "10.0.0.0/8", 0),
            row("fd00::2", "10.0.0.0/8", 0));
    long seed = System.nanoTime();
    List<StandaloneSpeaker.Row> shuffled = new ArrayList<>(expected);
    Collections.shuffle(shuffled, new java.util.Random(new SplittableRandom(seed).nextLong()));
    shuffled.sort(StandaloneSpeaker.ROW_ORDER);
    assertThat(shuffled).as("seed %d", seed).containsExactlyElementsOf(expected);
  }
}
