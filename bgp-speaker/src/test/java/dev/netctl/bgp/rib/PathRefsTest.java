package dev.netctl.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  @Test
  void manyPairsTakenAndFreedInAnyOrderAreAlwaysFoundAsTheirOwn() {
    // The index moves entries back when one is removed (no tombstones) and grows: every pair
    // still held must stay findable, by its reference, through any sequence of both.
    java.util.SplittableRandom random = new java.util.SplittableRandom(0x9A1B5L);
    List<Peer> peers = List.of(a, b, Fixtures.ibgp("10.0.0.3"));
    List<AttributeSet> sets = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      sets.add(Fixtures.attrs("10.0.0.1").med(i).build());
    }
    Map<List<Object>, Integer> refOf = new HashMap<>();
    Map<List<Object>, Integer> uses = new HashMap<>();
    for (int step = 0; step < 20_000; step++) {
      Peer p = peers.get(random.nextInt(peers.size()));
      AttributeSet s = sets.get(random.nextInt(sets.size()));
      List<Object> key = List.of(p, s);
      if (random.nextInt(3) > 0 || !uses.containsKey(key)) {
        int ref = refs.pair(p, s);
        Integer known = refOf.putIfAbsent(key, ref);
        assertThat(ref)
            .as("the reference of a pair still held")
            .isEqualTo(known == null ? ref : known);
        uses.merge(key, 1, Integer::sum);
      } else {
        refs.release(refOf.get(key));
        if (uses.merge(key, -1, Integer::sum) == 0) {
          uses.remove(key);
          refOf.remove(key);
        }
      }
      assertThat(refs.pairs()).as("pairs indexed").isEqualTo(refOf.size());
    }
    for (Map.Entry<List<Object>, Integer> e : refOf.entrySet()) {
      assertThat(refs.source(e.getValue())).isSameAs(e.getKey().get(0));
      assertThat(refs.attributes(e.getValue())).isSameAs(e.getKey().get(1));
    }
  }
}
