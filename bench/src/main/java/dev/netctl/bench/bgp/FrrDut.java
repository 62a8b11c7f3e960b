package dev.netctl.bench.bgp;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * FRR's bgpd alone ({@code -Z}: no zebra, nothing installed in the kernel) as a route reflector,
 * all clients in one peer-group so they share one update-group.
 *
 * <p>The tuned variant sets {@code coalesce-time 0}: bgpd otherwise waits (1 s by default) for more
 * peers to join an update sub-group before it generates updates, which delays a reflector's first
 * announcements.
 */
final class FrrDut extends DaemonDut {
  private final boolean tuned;

  /**
   * @param tuned whether to render {@code coalesce-time 0}
   */
  FrrDut(boolean tuned) {
    this.tuned = tuned;
  }

  @Override
  public String name() {
    return tuned ? "frr-tuned" : "frr";
  }

  /** Renders bgpd.conf. */
  static String render(DutSetup s, boolean tuned) {
    StringBuilder b = new StringBuilder();
    b.append("frr defaults traditional\n");
    b.append("hostname dut\n");
    b.append("log stdout warnings\n");
    b.append("!\n");
    b.append("router bgp ").append(s.asn()).append("\n");
    b.append(" bgp router-id ").append(s.ip()).append("\n");
    b.append(" bgp cluster-id ").append(s.ip()).append("\n");
    b.append(" no bgp default ipv4-unicast\n");
    if (tuned) {
      b.append(" coalesce-time 0\n");
    }
    b.append(" neighbor CLIENTS peer-group\n");
    b.append(" neighbor CLIENTS remote-as ").append(s.asn()).append("\n");
    b.append(" neighbor CLIENTS passive\n");
    for (Inet4Address c : s.clients()) {
      b.append(" neighbor ").append(c.getHostAddress()).append(" peer-group CLIENTS\n");
    }
    b.append(" address-family ipv4 unicast\n");
    b.append("  neighbor CLIENTS activate\n");
    b.append("  neighbor CLIENTS route-reflector-client\n");
    b.append(" exit-address-family\n");
    b.append("!\n");
    return b.toString();
  }

  @Override
  public void start(DutSetup s) {
    Path conf = s.dir().resolve("bgpd.conf");
    try {
      Files.writeString(conf, render(s, tuned));
    } catch (IOException e) {
      throw new BenchException("cannot write " + conf + ": " + e, e);
    }
    launch(
        name(),
        List.of(
            "/usr/lib/frr/bgpd",
            "-Z",
            "-n",
            "-S",
            "-p",
            Integer.toString(s.port()),
            "-l",
            s.ip(),
            "-f",
            conf.toString(),
            "-i",
            s.dir().resolve("bgpd.pid").toString(),
            "--vty_socket",
            s.dir().toString()),
        s);
  }
}
