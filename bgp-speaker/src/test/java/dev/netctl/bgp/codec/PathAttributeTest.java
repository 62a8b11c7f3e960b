package dev.netctl.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.PathAttribute.As4Path;
import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.PathAttribute.Segment;
import java.util.List;
import org.junit.jupiter.api.Test;

class PathAttributeTest {
  @Test
  void mergeKeepsTheLeadingAsesTheAs4PathDoesNotCover() {
    // A 2-octet speaker 65010 prepended itself to a path that came with AS4_PATH (RFC 6793 §4.2.3).
    AsPath received = AsPath.sequence(65010, 23456, 65020);
    As4Path as4 = new As4Path(List.of(Segment.sequence(4200000000L, 65020)));
    assertThat(received.merge(as4)).isEqualTo(AsPath.sequence(65010, 4200000000L, 65020));
  }

  @Test
  void longerAs4PathIsIgnored() {
    AsPath received = AsPath.sequence(23456);
    As4Path as4 = new As4Path(List.of(Segment.sequence(1, 2)));
    assertThat(received.merge(as4)).isSameAs(received);
  }

  @Test
  void setsCountAsOneHop() {
    AsPath received = new AsPath(List.of(Segment.sequence(65001), Segment.set(23456, 65002)));
    As4Path as4 = new As4Path(List.of(Segment.set(4200000001L, 65002)));
    assertThat(received.pathLength()).isEqualTo(2);
    assertThat(received.merge(as4))
        .isEqualTo(new AsPath(List.of(Segment.sequence(65001), Segment.set(4200000001L, 65002))));
  }
}
