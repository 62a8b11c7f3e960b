package dev.netctl.bench.bgp;

/**
 * One DUT in one scenario. Times are seconds; NaN where a phase did not apply or did not finish.
 *
 * @param dut DUT name
 * @param scenario scenario name
 * @param sessions tester sessions
 * @param prefixes prefixes each monitor had to hold
 * @param setupSeconds first connect to last session Established
 * @param loadSeconds churn: the initial load's convergence; slow: the stalled client's catch-up,
 *     from reading again to holding the full table
 * @param convergeSeconds first UPDATE written to the last monitor complete (slow: the last client
 *     but the stalled one)
 * @param peakRssKb the DUT's peak resident memory (VmHWM), KiB; -1 if unknown
 * @param cpuSeconds the DUT's user+system CPU over the whole run; NaN if unknown
 * @param error why the scenario failed, or empty
 */
record Result(
    String dut,
    String scenario,
    int sessions,
    int prefixes,
    double setupSeconds,
    double loadSeconds,
    double convergeSeconds,
    long peakRssKb,
    double cpuSeconds,
    String error) {

  /** A failed run. */
  static Result failed(String dut, Scenario scenario, int sessions, int prefixes, String error) {
    return new Result(
        dut,
        scenario.label(),
        sessions,
        prefixes,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        -1,
        Double.NaN,
        error);
  }

  /** Whether the scenario finished. */
  boolean ok() {
    return error.isEmpty();
  }
}
