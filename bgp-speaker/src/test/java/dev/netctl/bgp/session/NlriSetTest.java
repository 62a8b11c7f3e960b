package dev.netctl.bgp.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.Prefix;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NlriSetTest {
  @Test
  void behavesLikeAHashSetUnderRandomAddsAndRemoves() {
    long seed = new SplittableRandom().nextLong();
    SplittableRandom random = new SplittableRandom(seed);
    NlriSet set = new NlriSet();
    Set<Nlri> model = new HashSet<>();
    for (int step = 0; step < 200_000; step++) {
      Nlri n = randomNlri(random);
      if (random.nextInt(3) == 0) {
        assertThat(set.remove(n))
            .as("remove %s at step %d, seed %d", n, step, seed)
            .isEqualTo(model.remove(n));
      } else {
        assertThat(set.add(n))
            .as("add %s at step %d, seed %d", n, step, seed)
            .isEqualTo(model.add(n));
      }
      assertThat(set.size()).as("size at step %d, seed %d", step, seed).isEqualTo(model.size());
    }
    for (Nlri n : model) {
      assertThat(set.contains(n)).as("holds %s, seed %d", n, seed).isTrue();
    }
  }

  @Test
  void keepsIpv4Ipv6AndPathIdsApart() {
    Prefix v4 = Prefix.parse("10.0.0.0/24");
    NlriSet set = new NlriSet();
    set.addAll(List.of(Nlri.of(v4), new Nlri(7, v4), Nlri.of(Prefix.parse("10.0.0.0/25"))));
    set.add(Nlri.of(Prefix.parse("2001:db8::/32")));
    assertThat(set.size()).isEqualTo(4);
    assertThat(set.remove(new Nlri(7, v4))).isTrue();
    assertThat(set.contains(Nlri.of(v4))).isTrue();
    set.clear();
    assertThat(set.size()).isZero();
    assertThat(set.contains(Nlri.of(v4))).isFalse();
  }

  // A small address space, so adds and removes hit the same entries often.
  private static Nlri randomNlri(SplittableRandom r) {
    int kind = r.nextInt(10);
    if (kind == 0) {
      return new Nlri(1 + r.nextInt(3), Prefix.ipv4(r.nextInt(512) << 8, 24));
    }
    if (kind == 1) {
      return Nlri.of(Prefix.ipv6(0x20010db8L << 32, (long) r.nextInt(512) << 32, 96));
    }
    return Nlri.of(Prefix.ipv4(r.nextInt(4096) << 8, 22 + r.nextInt(3)));
  }
}
