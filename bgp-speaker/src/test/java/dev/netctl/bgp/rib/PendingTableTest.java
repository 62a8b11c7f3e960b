package dev.netctl.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class PendingTableTest {
  private static long key(int i) {
    return PrefixTable.pack(Prefix.ipv4(0x10000000 + (i << 8), 24));
  }

  // As the update group asks: with the key's hash, which picked the stripe.
  private static int position(PendingTable table, long key) {
    return table.position(key, PrefixTable.mix(key));
  }

  private static int add(PendingTable table, long key) {
    return table.positionOrAdd(key, PrefixTable.mix(key));
  }

  // What a drain reads: every entry by position, as key=value/companion.
  private static List<String> drained(PendingTable table) {
    List<String> seen = new ArrayList<>();
    for (int at = 0; at < table.size(); at++) {
      seen.add(table.keyAt(at) + "=" + table.valueAt(at) + "/" + table.companionAt(at));
    }
    return seen;
  }

  @RepeatedTest(3)
  void holdsTheLatestValueOfEachKeyInTheOrderKeysWereFirstAddedAcrossGrowthAndClears(
      RepetitionInfo info) {
    long seed = 0x9e4d_0000L + info.getCurrentRepetition();
    SplittableRandom random = new SplittableRandom(seed);
    PendingTable table = new PendingTable();
    for (int round = 0; round < 40; round++) {
      // Bursts and small drains alternate, so the index grows, is kept, and shrinks.
      int changes = round % 5 == 0 ? 6_000 : random.nextInt(1, 400);
      int space = round % 5 == 0 ? 4_096 : 600;
      Map<Long, String> model = new LinkedHashMap<>();
      for (int step = 0; step < changes; step++) {
        long key = key(random.nextInt(space));
        assertThat(position(table, key) >= 0)
            .as("seed %d round %d step %d: held exactly when added this round", seed, round, step)
            .isEqualTo(model.containsKey(key));
        int at = add(table, key);
        assertThat(at >= 0).isEqualTo(model.containsKey(key));
        if (at < 0) {
          at = -1 - at;
          assertThat(at).as("a new key goes last").isEqualTo(model.size());
          assertThat(table.valueAt(at)).as("added empty").isNull();
        } else {
          assertThat(table.valueAt(at)).isEqualTo(model.get(key));
        }
        assertThat(table.keyAt(at)).isEqualTo(key);
        table.setAt(at, "v" + step, "c" + step);
        model.put(key, "v" + step);
      }
      List<String> expected = new ArrayList<>();
      model.forEach((k, v) -> expected.add(k + "=" + v + "/c" + v.substring(1)));
      assertThat(drained(table)).as("seed %d round %d", seed, round).isEqualTo(expected);
      table = table.clearForReuse();
      assertThat(table.size()).isZero();
      for (long k : model.keySet()) {
        assertThat(position(table, k)).as("a cleared table holds nothing").isEqualTo(-1);
      }
    }
  }

  private static PendingTable filled(PendingTable table, int entries) {
    for (int i = 0; i < entries; i++) {
      int at = -1 - add(table, key(i));
      table.setAt(at, "v", "c" + i);
    }
    return table;
  }

  @Test
  void aClearedTableKeepsTheIndexOfABurstAcrossSmallDrainsThenShrinks() {
    PendingTable table = filled(new PendingTable(), 1_250);
    int burst = table.capacity();
    assertThat(burst)
        .as("a churn's burst fits the retained size")
        .isLessThanOrEqualTo(PendingTable.RETAINED_CAPACITY);
    PendingTable reused = table.clearForReuse();
    assertThat(reused).as("a full table is reused").isSameAs(table);
    for (int drain = 1; drain < PendingTable.SHRINK_AFTER; drain++) {
      reused = filled(reused, 100).clearForReuse();
      assertThat(reused.capacity())
          .as("drain %d of a tenth of the burst keeps the burst's index", drain)
          .isEqualTo(burst);
    }
    // A burst between small drains starts the count again.
    reused = filled(reused, 1_250).clearForReuse();
    for (int drain = 1; drain < PendingTable.SHRINK_AFTER; drain++) {
      reused = filled(reused, 100).clearForReuse();
    }
    assertThat(reused.capacity()).as("a burst restarted the count").isEqualTo(burst);
    PendingTable shrunk = filled(reused, 100).clearForReuse();
    assertThat(shrunk.capacity())
        .as("after %d oversized clears in a row it is sized for what it held", 32)
        .isLessThan(burst)
        .isGreaterThanOrEqualTo(128);
    assertThat(drained(filled(shrunk, 3)))
        .containsExactly(key(0) + "=v/c0", key(1) + "=v/c1", key(2) + "=v/c2");
  }

  @Test
  void aTableLargerThanTheRetainedSizeIsReplacedAtOnceWhenItHeldLittle() {
    PendingTable table = filled(new PendingTable(), 10_000);
    assertThat(table.capacity()).isGreaterThan(PendingTable.RETAINED_CAPACITY);
    PendingTable kept = table.clearForReuse();
    assertThat(kept).as("it held its fill: reused").isSameAs(table);
    PendingTable replaced = filled(kept, 10).clearForReuse();
    assertThat(replaced.capacity())
        .as("a table load's burst is not kept for a drain of ten")
        .isLessThanOrEqualTo(PendingTable.RETAINED_CAPACITY);
    assertThat(replaced.size()).isZero();
  }

  @Test
  void theLastGenerationZeroesTheIndexAndStartsAgain() {
    PendingTable table = filled(new PendingTable(), 10);
    table.lastGeneration();
    table = table.clearForReuse(); // the last generation: entries of every earlier one are free
    assertThat(position(table, key(3))).isEqualTo(-1);
    filled(table, 10);
    assertThat(position(table, key(3))).isEqualTo(3);
    table = table.clearForReuse(); // past the last: the index is zeroed, generation 1 again
    for (int i = 0; i < 10; i++) {
      assertThat(position(table, key(i))).as("key %d after the wrap", i).isEqualTo(-1);
    }
    assertThat(drained(filled(table, 2))).containsExactly(key(0) + "=v/c0", key(1) + "=v/c1");
  }
}
