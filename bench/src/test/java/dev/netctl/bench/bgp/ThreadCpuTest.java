package dev.netctl.bench.bgp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {
  @Test
  void readsTheRunTimeFieldOfSchedstat() {
    // run time (ns), wait time (ns), timeslices
    assertThat(ThreadCpu.parseRunNanos("123456789 5000 17\n")).isEqualTo(123_456_789L);
  }

  @Test
  void reportsWhatEachThreadUsedLargestFirstAndLeavesOutTheIdle() {
    Map<String, Long> before = Map.of("loop", 1_000_000L, "shard", 0L, "idle", 5_000_000L);
    Map<String, Long> after =
        Map.of("loop", 21_000_000L, "shard", 10_500_000L, "idle", 5_010_000L, "new", 200_000L);
    assertThat(ThreadCpu.delta(before, after))
        .isEqualTo("total 30.7 ms: loop 20.0, shard 10.5, new 0.2");
  }

  @Test
  void seesThisProcessThreadsByName() {
    Map<String, Long> threads = ThreadCpu.of(ProcessHandle.current().pid());
    assertThat(threads).isNotEmpty();
    assertThat(threads.values()).allMatch(ns -> ns >= 0);
  }
}
