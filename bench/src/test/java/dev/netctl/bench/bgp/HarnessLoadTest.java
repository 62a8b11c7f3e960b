package dev.netctl.bench.bgp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HarnessLoadTest {

  @Test
  void sinceGivesTheDifferenceOfEachFigure() {
    HarnessLoad before = new HarnessLoad(40, 3);
    assertEquals("compiling 7 ms, 1 collection", new HarnessLoad(47, 4).since(before));
    assertEquals("compiling 0 ms, 0 collections", before.since(new HarnessLoad(40, 3)));
    assertEquals("compiling 2 ms, 3 collections", new HarnessLoad(42, 6).since(before));
  }

  @Test
  void compilationTimeTheJvmDoesNotReportIsLeftOut() {
    assertEquals("2 collections", new HarnessLoad(-1, 2).since(new HarnessLoad(-1, 0)));
  }

  @Test
  void aCollectionOfTheHarnessIsCounted() {
    HarnessLoad before = HarnessLoad.now();
    System.gc();
    HarnessLoad after = HarnessLoad.now();
    assertTrue(after.collections() > before.collections(), "System.gc() is a collection");
  }
}
