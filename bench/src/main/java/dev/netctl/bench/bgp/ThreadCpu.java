package dev.netctl.bench.bgp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of a process's threads in nanoseconds, from {@code /proc/PID/task/TID/schedstat}
 * (sched(7): the first field is the time spent on the CPU), grouped by thread name: which of the
 * DUT's threads — the event loop, a RIB shard, the collector, the compiler — a scenario step cost.
 * Finer than {@link ProcStats}' 10 ms ticks, which a step of a few tens of milliseconds needs.
 */
final class ThreadCpu {
  private ThreadCpu() {}

  /** Nanoseconds on the CPU per thread name (threads of one name summed); empty when gone. */
  static Map<String, Long> of(long pid) {
    Map<String, Long> byName = new TreeMap<>();
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    try (Stream<Path> list = Files.list(tasks)) {
      for (Path task : (Iterable<Path>) list::iterator) {
        try {
          String name = Files.readString(task.resolve("comm")).strip();
          long ns = parseRunNanos(Files.readString(task.resolve("schedstat")));
          byName.merge(name, ns, Long::sum);
        } catch (IOException e) {
          // the thread ended between the listing and the read: it no longer counts
        }
      }
    } catch (IOException e) {
      return Map.of();
    }
    return byName;
  }

  /** The first field of a schedstat line: nanoseconds spent running. */
  static long parseRunNanos(String schedstat) {
    return Long.parseLong(schedstat.strip().split("\\s+")[0]);
  }

  /**
   * What each thread used between two snapshots, in milliseconds, largest first, as one line
   * ({@code "total 41.2 ms: loop 20.1, shard-0 12.0, ..."}); threads under 0.05 ms are left out.
   */
  static String delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> used = new TreeMap<>();
    after.forEach((name, ns) -> used.put(name, ns - before.getOrDefault(name, 0L)));
    long total = used.values().stream().mapToLong(Long::longValue).sum();
    StringBuilder out = new StringBuilder(String.format("total %.1f ms:", total / 1e6));
    used.entrySet().stream()
        .filter(e -> e.getValue() >= 50_000)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> out.append(String.format(" %s %.1f,", e.getKey(), e.getValue() / 1e6)));
    out.setLength(out.length() - 1);
    return out.toString();
  }
}
