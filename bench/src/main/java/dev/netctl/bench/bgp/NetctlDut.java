package dev.netctl.bench.bgp;

/**
 * Placeholder for netctl's own speaker ({@code dev.netctl.bgp.speaker.BgpSpeaker}) as the device
 * under test. The speaker facade can hold sessions, originate routes and report received ones, but
 * it does not yet re-advertise received routes (no RIB, no route reflection), so it cannot be the
 * reflector these scenarios measure: starting it fails with a clear message and the result row
 * records that. Once reflection exists this adapter runs the speaker as a separate JVM process (so
 * its memory is measured apart from the harness) with {@link DutSetup#clients()} as passive
 * reflector clients.
 */
final class NetctlDut implements Dut {
  @Override
  public String name() {
    return "netctl";
  }

  @Override
  public void start(DutSetup setup) {
    throw new BenchException(
        "netctl's speaker (dev.netctl.bgp.speaker) does not reflect routes yet: no DUT to run");
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
