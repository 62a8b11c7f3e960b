package dev.netctl.bench.bgp;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * What the harness's own JVM did besides the measurement: time its JIT compiled and collections it
 * ran. A measurement on a two-core machine shares the cores with the harness, so its compiler or
 * collector running inside a measured window takes a core from the DUT; printing this beside the
 * DUT's figures shows when that happened. Read from the JVM's management beans, which takes
 * microseconds (the harness's per-thread CPU from /proc took 2 ms a snapshot, which would delay the
 * window it brackets). Compilation time is the compiler threads' elapsed time, not their CPU.
 *
 * @param compileMillis the JIT's accumulated compilation time, -1 when the JVM does not report it
 * @param collections collections of every collector so far
 */
record HarnessLoad(long compileMillis, long collections) {

  /** The harness's figures now. */
  static HarnessLoad now() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    long compile =
        jit != null && jit.isCompilationTimeMonitoringSupported()
            ? jit.getTotalCompilationTime()
            : -1;
    long gcs = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcs += Math.max(0, gc.getCollectionCount());
    }
    return new HarnessLoad(compile, gcs);
  }

  /**
   * What was spent between {@code before} and this snapshot, as one line ({@code "compiling 7 ms, 1
   * collection"}); compilation time the JVM does not report is left out.
   */
  String since(HarnessLoad before) {
    StringBuilder out = new StringBuilder();
    if (compileMillis >= 0 && before.compileMillis >= 0) {
      out.append("compiling ").append(compileMillis - before.compileMillis).append(" ms, ");
    }
    long gcs = collections - before.collections;
    return out.append(gcs).append(gcs == 1 ? " collection" : " collections").toString();
  }
}
