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
  void aLoopOverSlotsSeesEveryIpv4EntryOnceWithItsValueAndCompanion() {
    PrefixTable<Integer> table = PrefixTable.withCompanions();
    Map<Long, Integer> expected = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      long key = PrefixTable.pack(Prefix.ipv4(0x0a000000 + (i << 8), 24));
      table.insert(key, i, "c" + i);
      expected.put(key, i);
    }
    table.put(Prefix.parse("fd00::/64"), -1); // IPv6: not an IPv4 slot
    Map<Long, Integer> seen = new HashMap<>();
    for (int slot = table.nextIpv4(0); slot >= 0; slot = table.nextIpv4(slot + 1)) {
      Integer value = table.valueAt(slot);
      assertThat(seen.put(table.keyAt(slot), value)).as("each entry once").isNull();
      assertThat(table.companionAt(slot)).isEqualTo("c" + value);
    }
    assertThat(seen).isEqualTo(expected);
    assertThat(new PrefixTable<Integer>(10).nextIpv4(0)).as("an empty table").isEqualTo(-1);
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

  @Test
  void clearForReuseKeepsAChurnSizedTableEmptyAndUsableAndDropsABurstSizedOne() {
    PrefixTable<Integer> table = PrefixTable.withCompanions();
    for (int i = 0; i < 1250; i++) { // one stripe's part of a 10,000-prefix withdrawal
      table.insert(PrefixTable.pack(Prefix.ipv4(0x10000000 + (i << 8), 24)), i, "w");
    }
    int grown = table.capacity();
    PrefixTable<Integer> reused = table.clearForReuse();
    assertThat(reused).isSameAs(table);
    assertThat(reused.size()).isZero();
    // A small drain next: the table keeps its size, is cleared slot by slot, and holds nothing old.
    for (int i = 0; i < 10; i++) {
      reused.insert(PrefixTable.pack(Prefix.ipv4(0x20000000 + (i << 8), 24)), i, "a" + i);
    }
    reused.put(Prefix.parse("fd00::/64"), -1);
    assertThat(reused.clearForReuse()).isSameAs(table);
    assertThat(table.capacity()).isEqualTo(grown);
    assertThat(table.size()).isZero();
    assertThat(table.nextIpv4(0)).isEqualTo(-1);
    assertThat(table.get(Prefix.parse("fd00::/64"))).isNull();
    long key = PrefixTable.pack(Prefix.ipv4(0x20000000, 24));
    assertThat(table.slot(key)).isEqualTo(-1);
    int slot = table.insert(key, 7, "again");
    assertThat(table.valueAt(slot)).isEqualTo(7);
    assertThat(table.companionAt(slot)).isEqualTo("again");

    PrefixTable<Integer> burst = PrefixTable.withCompanions();
    for (int i = 0; i < 100_000; i++) {
      burst.insert(PrefixTable.pack(Prefix.ipv4(0x10000000 + (i << 8), 24)), i, "b");
    }
    assertThat(burst.clearForReuse()).as("a full burst-sized table is kept").isSameAs(burst);
    burst.insert(key, 1, "one");
    PrefixTable<Integer> next = burst.clearForReuse();
    assertThat(next).as("an emptied burst-sized table gives way").isNotSameAs(burst);
    assertThat(next.capacity()).isLessThanOrEqualTo(PrefixTable.KEPT_CAPACITY);
    assertThat(next.size()).isZero();
    assertThat(next.insert(key, 2, "two")).isGreaterThanOrEqualTo(0);
    assertThat(next.companionAt(next.slot(key))).isEqualTo("two");
  }
}
