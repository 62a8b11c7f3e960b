package dev.netctl.bench.bgp;

/**
 * Placeholder for netctl's own speaker ({@code dev.netctl.bgp.speaker}) as the device under test.
 * The speaker was not on this branch when the harness was written: starting it fails with a clear
 * message and the result row records that. Once the speaker exists this adapter runs it as a
 * separate JVM process (so its memory is measured apart from the harness) configured as a route
 * reflector for {@link DutSetup#clients()}.
 */
final class NetctlDut implements Dut {
  @Override
  public String name() {
    return "netctl";
  }

  @Override
  public void start(DutSetup setup) {
    throw new BenchException(
        "netctl's speaker (dev.netctl.bgp.speaker) is not available on this branch yet");
  }

  @Override
  public long pid() {
    throw new IllegalStateException("netctl DUT never started");
  }

  @Override
  public String logTail() {
    return "";
  }

  @Override
  public void close() {}
}
