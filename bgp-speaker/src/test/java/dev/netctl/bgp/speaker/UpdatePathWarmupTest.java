package dev.netctl.bgp.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.PathAttribute;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpdatePathWarmupTest {
  @Test
  void everySyntheticPrefixIsReflectedChangedAndWithdrawnThroughTheSessionAndThePrivateRib() {
    // Announced, announced again with another MED, withdrawn: each prefix leaves the update group
    // three times. Anything lost on the way (framing, decode, the session's FSM, import,
    // selection, group hand-off, packing) shows as a smaller count.
    assertThat(UpdatePathWarmup.run(2_500)).isEqualTo(7_500);
    assertThat(UpdatePathWarmup.run(1)).isEqualTo(3);
  }

  @Test
  void theBatchHandOffsOfAChurnWaitForTheWorkBeforeThemAndThenComplete() {
    // A batch behind one in the RIB's hands, and one behind other work: what the warm-up runs so
    // that their lambdas are linked before a session's first churn, not during it. Neither may
    // finish before what is ahead of it, and both must once it has.
    assertThat(UpdatePathWarmup.batchHandOffs()).isTrue();
  }

  @Test
  void theSyntheticSetsShareAsPathsAndCommunitiesAsARealTableDoes() {
    // What makes interning compare equal values (and the decoder read segments and communities):
    // sets that differ in MED but share a path or communities with others.
    List<Update> announced = UpdatePathWarmup.updates(0, 2_000, 0);
    Map<PathAttribute, Integer> sharing = new HashMap<>();
    int withCommunities = 0;
    for (Update u : announced) {
      PathAttribute.AsPath path = attribute(u, PathAttribute.AsPath.class);
      assertThat(path.segments()).hasSize(1);
      assertThat(path.segments().getFirst().asns().size()).isBetween(1, 3);
      sharing.merge(path, 1, Integer::sum);
      PathAttribute.Communities communities = attribute(u, PathAttribute.Communities.class);
      if (communities != null) {
        withCommunities++;
        sharing.merge(communities, 1, Integer::sum);
      }
    }
    assertThat(announced).hasSize(200);
    assertThat(withCommunities).isBetween(100, 180);
    assertThat(sharing.values()).allMatch(n -> n > 1);
    // The change pass keeps each prefix's path and communities and changes its MED.
    List<Update> changed = UpdatePathWarmup.updates(0, 2_000, 1);
    for (int i = 0; i < announced.size(); i++) {
      Update a = announced.get(i);
      Update c = changed.get(i);
      assertThat(attribute(c, PathAttribute.AsPath.class))
          .isEqualTo(attribute(a, PathAttribute.AsPath.class));
      assertThat(attribute(c, PathAttribute.Communities.class))
          .isEqualTo(attribute(a, PathAttribute.Communities.class));
      assertThat(attribute(c, PathAttribute.MultiExitDisc.class))
          .isNotEqualTo(attribute(a, PathAttribute.MultiExitDisc.class));
    }
  }

  private static <T extends PathAttribute> T attribute(Update u, Class<T> type) {
    return u.attributes().stream()
        .filter(type::isInstance)
        .map(type::cast)
        .findFirst()
        .orElse(null);
  }
}
