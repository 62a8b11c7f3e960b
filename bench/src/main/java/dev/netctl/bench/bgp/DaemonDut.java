package dev.netctl.bench.bgp;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * A DUT that is an external daemon (BIRD, GoBGP, FRR, netctl's own JVM): started as a child process
 * and ready once it listens on the BGP port. Subclasses only render their config and command line.
 */
abstract class DaemonDut implements Dut {
  private DaemonProcess daemon;

  /** Starts {@code command} in the setup's directory and waits until it accepts BGP connections. */
  final void launch(String name, List<String> command, DutSetup s) {
    daemon = DaemonProcess.start(name, command, s.dir());
    daemon.awaitListening(new InetSocketAddress(s.address(), s.port()), Duration.ofSeconds(60));
  }

  /** Waits until the daemon's output holds {@code text} (e.g. a "ready" line). */
  final void awaitLog(String text, Duration timeout) {
    daemon.awaitLog(text, timeout);
  }

  @Override
  public final String logTail() {
    return daemon == null ? "" : daemon.logTail();
  }

  @Override
  public final long pid() {
    return daemon.pid();
  }

  @Override
  public final void close() {
    if (daemon != null) {
      daemon.close();
    }
  }
}
