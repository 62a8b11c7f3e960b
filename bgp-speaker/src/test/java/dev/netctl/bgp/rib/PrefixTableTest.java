package dev.netctl.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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

  @RepeatedTest(3)
  void slotOrAddFindsPresentKeysAndAddsAbsentOnesLikeSlotThenInsert(RepetitionInfo info) {
    long seed = 0x51a7_0000L + info.getCurrentRepetition();
    SplittableRandom random = new SplittableRandom(seed);
    // A table without companions: only such a one removes entries, which moves others back.
    PrefixTable<Object> table = new PrefixTable<>();
    Map<Long, Integer> model = new HashMap<>();
    for (int step = 0; step < 20_000; step++) {
      long key = PrefixTable.pack(Prefix.ipv4(random.nextInt(2_048) << 8, 24));
      if (random.nextInt(4) == 0 && model.containsKey(key)) {
        table.removeAt(table.slot(key)); // removals move entries back: probe chains must hold
        model.remove(key);
        continue;
      }
      int slot = table.slotOrAdd(key);
      assertThat(slot >= 0)
          .as("seed %d step %d: found exactly when present", seed, step)
          .isEqualTo(model.containsKey(key));
      if (slot >= 0) {
        assertThat(table.valueAt(slot)).isEqualTo(model.get(key));
      } else {
        slot = -1 - slot;
        assertThat(table.keyAt(slot)).isEqualTo(key);
        assertThat(table.valueAt(slot)).as("added empty").isNull();
      }
      table.setAt(slot, step, "c" + step);
      model.put(key, step);
      assertThat(table.size()).isEqualTo(model.size());
    }
    for (Map.Entry<Long, Integer> e : model.entrySet()) {
      int slot = table.slot(e.getKey());
      assertThat(slot).isNotNegative();
      assertThat(table.valueAt(slot)).isEqualTo(e.getValue());
    }
  }

  @Test
  void aTableWithCompanionsListsItsSlotsInTheOrderKeysWereAddedAcrossGrowthAndClears() {
    PrefixTable<Object> table = PrefixTable.withCompanions();
    List<Long> added = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      added.clear();
      SplittableRandom random = new SplittableRandom(round);
      for (int i = 0; i < 3_000; i++) {
        long key = PrefixTable.pack(Prefix.ipv4(random.nextInt(1 << 20) << 8, 24));
        int slot = table.slotOrAdd(key);
        if (slot < 0) {
          added.add(key);
          slot = -1 - slot;
        }
        table.setAt(slot, key, "c" + key); // a key set again keeps its first place
        if (i % 7 == 0) {
          long again = PrefixTable.pack(Prefix.ipv4(random.nextInt(1 << 20) << 8, 24));
          if (table.slot(again) < 0) {
            table.insert(again, again, "c" + again);
            added.add(again);
          }
        }
      }
      List<Long> listed = new ArrayList<>();
      for (int j = 0; j < table.addedCount(); j++) {
        int slot = table.addedSlot(j);
        assertThat(table.valueAt(slot)).isEqualTo(table.keyAt(slot));
        assertThat(table.companionAt(slot)).isEqualTo("c" + table.keyAt(slot));
        listed.add(table.keyAt(slot));
        table.vacate(slot); // as a drain does
      }
      assertThat(listed).as("round %d: each key once, in the order added", round).isEqualTo(added);
      table = table.clearForReuse();
      assertThat(table.addedCount()).as("a cleared table lists nothing").isZero();
    }
    PrefixTable<Object> ordered = table;
    long key = PrefixTable.pack(Prefix.ipv4(0x0a000000, 24));
    ordered.insert(key, "v", "c");
    assertThatThrownBy(() -> ordered.removeAt(ordered.slot(key)))
        .as("nothing is removed one by one from a table with companions")
        .isInstanceOf(IllegalStateException.class);
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

  // The update group's pattern: a burst fills a table, then drains hold a fraction of it.
  private static PrefixTable<Object> filled(PrefixTable<Object> table, int entries) {
    for (int i = 0; i < entries; i++) {
      table.insert(PrefixTable.pack(Prefix.ipv4(0x10000000 + (i << 8), 24)), "v", "c" + i);
    }
    return table;
  }

  @Test
  void aClearedTableKeepsTheCapacityOfABurstAcrossSmallDrainsThenShrinks() {
    PrefixTable<Object> table = filled(PrefixTable.withCompanions(), 1_250);
    int burst = table.capacity();
    assertThat(burst).as("a churn's burst fits the retained size").isLessThanOrEqualTo(2048);
    PrefixTable<Object> reused = table.clearForReuse();
    assertThat(reused).as("a full table is reused").isSameAs(table);
    assertThat(reused.size()).isZero();
    assertThat(reused.nextIpv4(0)).as("nothing left in a slot").isEqualTo(-1);
    for (int drain = 1; drain < PrefixTable.SHRINK_AFTER; drain++) {
      reused = filled(reused, 100).clearForReuse();
      assertThat(reused.capacity())
          .as("drain %d of a tenth of the burst keeps the burst's capacity", drain)
          .isEqualTo(burst);
    }
    // A burst between small drains starts the count again.
    reused = filled(reused, 1_250).clearForReuse();
    for (int drain = 1; drain < PrefixTable.SHRINK_AFTER; drain++) {
      reused = filled(reused, 100).clearForReuse();
    }
    assertThat(reused.capacity()).as("a burst restarted the count").isEqualTo(burst);
    PrefixTable<Object> shrunk = filled(reused, 100).clearForReuse();
    assertThat(shrunk.capacity())
        .as(
            "after %d oversized clears in a row the table is sized for what it held",
            PrefixTable.SHRINK_AFTER)
        .isLessThan(burst)
        .isGreaterThanOrEqualTo(128);
    assertThat(shrunk.size()).isZero();
    int slot = shrunk.insert(PrefixTable.pack(Prefix.ipv4(0x0a000000, 8)), "v", "companion");
    assertThat(shrunk.companionAt(slot))
        .as("the smaller table keeps companions")
        .isEqualTo("companion");
  }

  @Test
  void aClearedTableLargerThanTheRetainedSizeIsReplacedAtOnceWhenItHeldLittle() {
    PrefixTable<Object> table = filled(PrefixTable.withCompanions(), 10_000);
    assertThat(table.capacity()).isGreaterThan(PrefixTable.RETAINED_CAPACITY);
    PrefixTable<Object> kept = table.clearForReuse();
    assertThat(kept).as("it held its fill: reused").isSameAs(table);
    PrefixTable<Object> replaced = filled(kept, 10).clearForReuse();
    assertThat(replaced.capacity())
        .as("a table load's burst is not kept for a drain of ten")
        .isLessThanOrEqualTo(PrefixTable.RETAINED_CAPACITY);
    assertThat(replaced.size()).isZero();
  }

  // What a drain does: walk the slots, vacating each one read.
  private static List<String> drained(PrefixTable<Object> table) {
    List<String> seen = new ArrayList<>();
    for (int slot = table.nextIpv4(0); slot >= 0; slot = table.nextIpv4(slot + 1)) {
      seen.add((String) table.companionAt(slot));
      table.vacate(slot);
    }
    return seen;
  }

  @Test
  void aDrainThatVacatesWhatItReadsSeesEveryEntryOnceAndLeavesTheSameClearDecision() {
    PrefixTable<Object> table = filled(PrefixTable.withCompanions(), 1_250);
    int burst = table.capacity();
    assertThat(drained(table))
        .as("every entry visited once, though slots empty behind the walk")
        .hasSize(1_250)
        .doesNotHaveDuplicates();
    assertThat(table.size()).isZero();
    PrefixTable<Object> reused = table.clearForReuse();
    assertThat(reused).as("the vacated entries count as held: reused").isSameAs(table);
    for (int drain = 1; drain < PrefixTable.SHRINK_AFTER; drain++) {
      PrefixTable<Object> t = filled(reused, 100);
      assertThat(drained(t)).hasSize(100);
      reused = t.clearForReuse();
      assertThat(reused.capacity())
          .as("drain %d keeps the burst's capacity", drain)
          .isEqualTo(burst);
    }
    filled(reused, 100);
    drained(reused);
    PrefixTable<Object> shrunk = reused.clearForReuse();
    assertThat(shrunk.capacity())
        .as("small vacated drains still shrink the table after %d", PrefixTable.SHRINK_AFTER)
        .isLessThan(burst);
    // A drain cut short (a failure mid-walk) leaves the rest for the clear to empty.
    PrefixTable<Object> partial = filled(PrefixTable.withCompanions(), 300);
    partial.vacate(partial.nextIpv4(0));
    PrefixTable<Object> cleared = partial.clearForReuse();
    assertThat(cleared.size()).isZero();
    assertThat(cleared.nextIpv4(0)).as("nothing left in a slot").isEqualTo(-1);
    int slot = cleared.insert(PrefixTable.pack(Prefix.ipv4(0x10000000, 24)), "v", "again");
    assertThat(cleared.slot(PrefixTable.pack(Prefix.ipv4(0x10000000, 24)))).isEqualTo(slot);
  }
}
