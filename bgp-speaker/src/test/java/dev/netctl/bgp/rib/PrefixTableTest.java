package dev.netctl.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Prefix;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class PrefixTableTest {
  @RepeatedTest(5)
  void behavesLikeAHashMapUnderRandomPutsAndRemoves(RepetitionInfo info) {
    long seed = 0x5eed_0000L + info.getCurrentRepetition();
    SplittableRandom random = new SplittableRandom(seed);
    PrefixTable<Integer> table = new PrefixTable<>();
    Map<Prefix, Integer> model = new HashMap<>();
    for (int step = 0; step < 20_000; step++) {
      // A small address space so puts, replaces and removes of present keys all happen often.
      Prefix p =
          random.nextInt(10) == 0
              ? Prefix.ipv6(0x2001_0db8_0000_0000L | random.nextInt(64), 0, 64)
              : Prefix.ipv4(random.nextInt(512) << 8, random.nextInt(16, 25));
      int op = random.nextInt(3);
      if (op < 2) {
        int v = random.nextInt();
        assertThat(table.put(p, v))
            .as("seed %d step %d put %s", seed, step, p)
            .isEqualTo(model.put(p, v));
      } else {
        assertThat(table.remove(p))
            .as("seed %d step %d remove %s", seed, step, p)
            .isEqualTo(model.remove(p));
      }
      assertThat(table.size()).as("seed %d size", seed).isEqualTo(model.size());
    }
    Map<Prefix, Integer> copy = new HashMap<>();
    table.forEach(copy::put);
    assertThat(copy).as("seed %d contents", seed).isEqualTo(model);
    for (Prefix p : model.keySet()) {
      assertThat(table.get(p)).isEqualTo(model.get(p));
    }
  }

  @Test
  void insertedIpv4EntriesAreVisitedOnceByKeyAndIpv6OnesNot() {
    PrefixTable<Integer> table = new PrefixTable<>();
    Map<Long, Integer> expected = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      long key = PrefixTable.pack(Prefix.ipv4(0x0a000000 + (i << 8), 24));
      int slot = table.insert(key, i);
      assertThat(table.valueAt(slot)).isEqualTo(i);
      expected.put(key, i);
    }
    table.setAt(table.slot(PrefixTable.pack(Prefix.ipv4(0x0a000000, 24))), -7);
    expected.put(PrefixTable.pack(Prefix.ipv4(0x0a000000, 24)), -7);
    table.put(Prefix.parse("fd00::/64"), -1); // IPv6: not visited by key
    Map<Long, Integer> seen = new HashMap<>();
    table.forEachIpv4(
        (key, value) -> assertThat(seen.put(key, value)).as("each entry once").isNull());
    assertThat(seen).isEqualTo(expected);
    assertThat(table.size()).isEqualTo(301);
  }

  @Test
  void aPresizedTableHoldsAndVisitsEveryValueIncludingIpv6() {
    PrefixTable<Integer> table = new PrefixTable<>(1_000);
    for (int i = 0; i < 1_500; i++) {
      table.put(Prefix.ipv4(0x0a000000 + (i << 8), 24), i);
    }
    table.put(Prefix.parse("2001:db8::/64"), -1);
    table.remove(Prefix.ipv4(0x0a000000, 24));
    java.util.List<Integer> seen = new java.util.ArrayList<>();
    table.forEachValue(seen::add);
    assertThat(seen).hasSize(1_500).contains(-1, 1, 1_499).doesNotContain(0);
    assertThat(table.get(Prefix.ipv4(0x0a000000 + (700 << 8), 24))).isEqualTo(700);
  }
}
