package dev.netctl.bench.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ProcStatsTest {
  @Test
  void readsThePeakResidentSetFromStatus() {
    String status = "Name:\tbird\nVmPeak:\t  20000 kB\nVmHWM:\t    4912 kB\nVmRSS:\t    4000 kB\n";
    assertThat(ProcStats.parseVmHwm(status)).isEqualTo(4912);
  }

  @Test
  void addsOwnAndChildrenCpuTicksAfterACommandNameWithSpaces() {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    // cutime cstime ...
    String stat = "42 (my daemon) S 1 42 42 0 -1 4194560 100 0 0 0 150 50 7 3 20 0 1 0";
    assertThat(ProcStats.parseCpuSeconds(stat)).isCloseTo(2.10, within(1e-9));
  }

  @Test
  void measuresThisVeryProcess() {
    ProcStats self = ProcStats.of(ProcessHandle.current().pid());
    assertThat(self.peakRssKb()).isPositive();
    assertThat(self.cpuSeconds()).isPositive();
  }
}
