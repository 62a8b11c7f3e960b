package dev.netctl.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PoolAdmissionTest {
  private static IPPool pool(String name, String cidr, String created) {
    return new IPPool(
        new ObjectMeta(name, null, null, null, "u-" + name, created), IPPoolSpec.of(cidr));
  }

  @Test
  void ofTwoOverlappingPoolsTheOlderIsKeptWhateverTheOrderTheyAreRead() {
    IPPool older = pool("zz-older", "10.0.0.0/16", "2026-01-01T00:00:00Z");
    IPPool younger = pool("aa-younger", "10.0.1.0/24", "2026-01-02T00:00:00Z");
    IPPool apart = pool("apart", "10.1.0.0/16", "2026-01-03T00:00:00Z");
    for (List<IPPool> read :
        List.of(List.of(older, younger, apart), List.of(apart, younger, older))) {
      assertThat(PoolAdmission.accepted(read)).containsExactly(older, apart);
      PoolAdmission.Verdict refused =
          PoolAdmission.judge(read).stream().filter(v -> !v.accepted()).findFirst().orElseThrow();
      assertThat(refused.pool()).isEqualTo(younger);
      assertThat(refused.violations().getFirst().message())
          .isEqualTo(
              "IPPool \"aa-younger\": spec.cidr \"10.0.1.0/24\" must not overlap IPPool"
                  + " \"zz-older\" (10.0.0.0/16), which is older");
    }
  }

  @Test
  void sameCreationSecondFallsBackToTheNameAndARefusedPoolBlocksNobody() {
    String t = "2026-01-01T00:00:00Z";
    IPPool a = pool("a", "10.0.0.0/16", t);
    IPPool b = pool("b", "10.0.0.0/8", t); // overlaps a: refused
    IPPool c = pool("c", "10.2.0.0/16", t); // overlaps only the refused b: kept
    assertThat(PoolAdmission.accepted(List.of(c, b, a))).containsExactly(a, c);
  }

  @Test
  void aPoolThatBreaksItsOwnRulesIsRefusedNamingTheField() {
    IPPool bad =
        new IPPool(
            new ObjectMeta("bad", null, null, null, "u", "2026-01-01T00:00:00Z"),
            IPPoolSpec.of("10.9.0.0/24").withBlockSize(20));
    IPPool good = pool("good", "10.9.0.0/16", "2026-01-02T00:00:00Z");
    List<PoolAdmission.Verdict> v = PoolAdmission.judge(List.of(bad, good));
    assertThat(v.getFirst().violations()).extracting(Violation::field).contains("spec.blockSize");
    assertThat(PoolAdmission.accepted(List.of(bad, good)))
        .as("an invalid pool does not make a valid younger one overlap")
        .containsExactly(good);
  }
}
