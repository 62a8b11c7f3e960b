package dev.netctl.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Prefix;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class PackedPrefixTableTest {
  @RepeatedTest(5)
  void behavesLikeAHashMapUnderRandomInsertsUpdatesAndRemoves(RepetitionInfo info) {
    long seed = 0x9ac6_0000L + info.getCurrentRepetition();
    SplittableRandom random = new SplittableRandom(seed);
    PackedPrefixTable table = new PackedPrefixTable();
    Map<Prefix, Integer> model = new HashMap<>();
    for (int step = 0; step < 20_000; step++) {
      // A small address space, every length and the extreme addresses: inserts, updates and
      // removes of present keys all happen often, and a key must never read as another.
      int address = random.nextInt(8) == 0 ? -1 - random.nextInt(4) : random.nextInt(512) << 8;
      Prefix p = Prefix.ipv4(address, random.nextInt(33));
      int ref = random.nextInt(PackedPrefixTable.MAX_REF + 1);
      long key = PackedPrefixTable.key(p);
      int slot = table.find(key);
      assertThat(slot >= 0)
          .as("seed %d step %d present %s", seed, step, p)
          .isEqualTo(model.containsKey(p));
      int probe = table.probe(key);
      assertThat(probe).as("probe finds what find finds").isEqualTo(slot >= 0 ? slot : probe);
      assertThat(probe >= 0).isEqualTo(slot >= 0);
      switch (random.nextInt(3)) {
        case 0 -> {
          if (slot < 0) {
            // Half the inserts take the probe's empty slot (growing on the way, now and then).
            slot = random.nextBoolean() ? table.insert(key, ref) : table.insert(key, ref, probe);
          } else {
            table.setRefAt(slot, ref);
          }
          assertThat(table.keyAt(slot)).isEqualTo(key);
          assertThat(table.refAt(slot)).isEqualTo(ref);
          model.put(p, ref);
        }
        case 1 -> {
          if (slot >= 0) {
            table.removeAt(slot);
            model.remove(p);
          }
        }
        default -> {
          if (slot >= 0) {
            assertThat(table.refAt(slot))
                .as("seed %d step %d ref of %s", seed, step, p)
                .isEqualTo(model.get(p));
          }
        }
      }
      assertThat(table.size()).as("seed %d size", seed).isEqualTo(model.size());
    }
    Map<Prefix, Integer> copy = new HashMap<>();
    table.visit(
        (slot, key, ref) -> {
          copy.put(PackedPrefixTable.prefix(key), ref);
          return true;
        });
    assertThat(copy).as("seed %d contents", seed).isEqualTo(model);
  }

  @Test
  void keysRoundTripEveryIpv4PrefixShape() {
    for (String s :
        new String[] {"0.0.0.0/0", "255.255.255.255/32", "10.244.0.0/26", "128.0.0.0/1"}) {
      Prefix p = Prefix.parse(s);
      assertThat(PackedPrefixTable.prefix(PackedPrefixTable.key(p))).isEqualTo(p);
    }
    assertThat(PackedPrefixTable.key(Prefix.parse("10.0.0.0/8")))
        .isNotEqualTo(PackedPrefixTable.key(Prefix.parse("10.0.0.0/9")));
  }

  @Test
  void aVisitCanStopEarly() {
    PackedPrefixTable table = new PackedPrefixTable();
    for (int i = 0; i < 100; i++) {
      table.insert(PackedPrefixTable.key(Prefix.ipv4(i << 8, 24)), i);
    }
    int[] seen = {0};
    table.visit((slot, key, ref) -> ++seen[0] < 10);
    assertThat(seen[0]).isEqualTo(10);
  }
}
