package dev.netctl.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PathRefsTest {
  private final PathRefs refs = new PathRefs();
  private final Peer a = Fixtures.ibgp("10.0.0.1");
  private final Peer b = Fixtures.ibgp("10.0.0.2");
  private final AttributeSet x = Fixtures.attrs("10.0.0.1").build();
  private final AttributeSet y = Fixtures.attrs("10.0.0.2").path(65001).build();

  @Test
  void aPairIsInternedByIdentityAndCounted() {
    int first = refs.pair(a, x);
    assertThat(refs.pair(a, x)).isEqualTo(first);
    assertThat(refs.pair(b, x)).isNotEqualTo(first);
    assertThat(refs.pair(a, y)).isNotEqualTo(first);
    int again = refs.pair(b, x); // not the last one taken: found through the index
    assertThat(refs.pair(a, x)).isEqualTo(first);
    assertThat(refs.source(first)).isSameAs(a);
    assertThat(refs.attributes(first)).isSameAs(x);
    assertThat(refs.source(again)).isSameAs(b);
  }

  @Test
  void aReferenceIsFreedByItsLastReleaseAndThenReused() {
    int ref = refs.pair(a, x);
    refs.pair(a, x);
    refs.release(ref);
    assertThat(refs.source(ref)).as("still used once").isSameAs(a);
    refs.release(ref);
    assertThat(refs.source(ref)).isNull();
    int other = refs.pair(b, y);
    assertThat(other).as("freed reference reused").isEqualTo(ref);
    assertThat(refs.source(other)).isSameAs(b);
    assertThat(refs.pair(a, x)).as("the old pair is a new reference").isNotEqualTo(ref);
  }

  @Test
  void aDestinationHasAReferenceOfItsOwn() {
    Destination d = Destination.selected(new Route(a, 0, x, 1));
    int one = refs.single(d);
    int two = refs.single(d);
    assertThat(one).isNotEqualTo(two);
    assertThat(refs.source(one)).isSameAs(d);
    assertThat(refs.attributes(one)).isNull();
    refs.release(one);
    assertThat(refs.source(one)).isNull();
    assertThat(refs.source(two)).isSameAs(d);
    assertThat(refs.pair(a, x)).as("a pair, not the destination").isNotEqualTo(two);
  }
}
