package dev.netctl.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.bgp.codec.PathAttribute.Communities;
import dev.netctl.bgp.codec.PathAttribute.Segment;
import dev.netctl.bgp.codec.PathAttribute.SegmentType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The int-held AS numbers and communities behave as the immutable lists of boxes they replace: the
 * records' accessors hand them to every module.
 */
class IntValuesTest {
  @Test
  void asNumbersAreUnsignedLongsEqualToAndHashedAsAListOfThem() {
    Segment s = Segment.sequence(65001, 4_200_000_000L, 0xffffffffL);
    List<Long> boxed = List.of(65001L, 4_200_000_000L, 0xffffffffL);
    assertThat(s.asns()).containsExactlyElementsOf(boxed);
    assertThat(s.asns()).isEqualTo(boxed);
    assertThat(boxed).isEqualTo(s.asns());
    assertThat(s.asns().hashCode()).isEqualTo(boxed.hashCode());
    assertThat(s.asn(1)).isEqualTo(4_200_000_000L);
    assertThat(s.asns().indexOf(4_200_000_000L)).isEqualTo(1);
    assertThat(s.asns().contains(42L)).isFalse();
    assertThat(s.asns()).hasToString(boxed.toString());
  }

  @Test
  void communitiesAreIntsEqualToAndHashedAsAListOfThem() {
    Communities c = new Communities(new ArrayList<>(List.of(Communities.NO_EXPORT, 65000 << 16)));
    List<Integer> boxed = List.of(Communities.NO_EXPORT, 65000 << 16);
    assertThat(c.values()).isEqualTo(boxed);
    assertThat(boxed).isEqualTo(c.values());
    assertThat(c.values().hashCode()).isEqualTo(boxed.hashCode());
    assertThat(c.value(0)).isEqualTo(Communities.NO_EXPORT);
    assertThat(c.values().contains(65000 << 16)).isTrue();
  }

  @Test
  void asNumbersAndCommunitiesOfTheSameIntsAreUnequalLikeTheirBoxes() {
    List<Long> asns = Segment.sequence(1, 2).asns();
    List<Integer> ints = new Communities(List.of(1, 2)).values();
    assertThat(asns.hashCode()).isEqualTo(ints.hashCode());
    assertThat((Object) asns).isNotEqualTo(ints);
    assertThat((Object) ints).isNotEqualTo(asns);
  }

  @Test
  void theListsAreImmutable() {
    Segment s = Segment.sequence(65001);
    assertThatThrownBy(() -> s.asns().add(1L)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.asns().set(0, 1L)).isInstanceOf(UnsupportedOperationException.class);
    Communities c = new Communities(List.of(1));
    assertThatThrownBy(() -> c.values().remove(0))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void constructorsCopyAndCheckWhatTheyAreGiven() {
    List<Long> mutable = new ArrayList<>(List.of(65001L));
    Segment s = new Segment(SegmentType.AS_SET, mutable);
    mutable.set(0, 65002L);
    assertThat(s.asns()).containsExactly(65001L);
    assertThatThrownBy(() -> new Segment(SegmentType.AS_SET, List.of(0x1_0000_0000L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("AS number 4294967296 is outside 0..4294967295");
    assertThatThrownBy(() -> Segment.sequence(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("AS number -1 is outside");
    assertThatThrownBy(() -> new Segment(SegmentType.AS_SET, Arrays.asList(1L, null)))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Communities(Arrays.asList(1, null)))
        .isInstanceOf(NullPointerException.class);
  }
}
