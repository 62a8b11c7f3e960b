package dev.netctl.bench.bgp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak resident memory and CPU time of a process and its direct children, from /proc (proc(5)):
 * {@code VmHWM} is the kernel's own high-water mark, so nothing has to be sampled while the
 * scenario runs.
 *
 * @param peakRssKb sum of VmHWM over the process and its children, in KiB
 * @param cpuSeconds user plus system time of the process and its children
 */
record ProcStats(long peakRssKb, double cpuSeconds) {
  private static final double CLOCK_TICKS = 100.0; // USER_HZ on Linux

  /** Reads the stats of {@code pid}; fails when the process is gone. */
  static ProcStats of(long pid) {
    long rss = vmHwm(pid);
    double cpu = cpuSeconds(pid);
    for (long child : children(pid)) {
      rss += vmHwm(child);
      cpu += cpuSeconds(child);
    }
    return new ProcStats(rss, cpu);
  }

  /** Parses the VmHWM line of a /proc/PID/status text, in KiB. */
  static long parseVmHwm(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
      }
    }
    throw new IllegalArgumentException("no VmHWM line in /proc status text");
  }

  /** Parses utime+stime+cutime+cstime (fields 14–17) of a /proc/PID/stat line, in seconds. */
  static double parseCpuSeconds(String stat) {
    // the command name (field 2) may hold spaces: fields are counted after its closing ')'
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    long ticks = 0;
    for (int i = 11; i <= 14; i++) {
      ticks += Long.parseLong(f[i]);
    }
    return ticks / CLOCK_TICKS;
  }

  private static long vmHwm(long pid) {
    return parseVmHwm(read(Path.of("/proc", Long.toString(pid), "status")));
  }

  private static double cpuSeconds(long pid) {
    return parseCpuSeconds(read(Path.of("/proc", Long.toString(pid), "stat")));
  }

  private static long[] children(long pid) {
    return ProcessHandle.of(pid)
        .map(h -> h.children().mapToLong(ProcessHandle::pid).toArray())
        .orElse(new long[0]);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new BenchException("cannot read " + p + " (process gone?): " + e.getMessage(), e);
    }
  }
}
