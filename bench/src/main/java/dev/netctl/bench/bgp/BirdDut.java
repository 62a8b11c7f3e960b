package dev.netctl.bench.bgp;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** BIRD 2 as a route reflector, one {@code protocol bgp} per client from a shared template. */
final class BirdDut extends DaemonDut {

  @Override
  public String name() {
    return "bird";
  }

  /**
   * Renders bird.conf. {@code strict bind} keeps BIRD off the wildcard address (other daemons use
   * the same port on other loopback addresses). iBGP next hops resolve recursively through the IGP
   * table, so a static device route for 100.64/10 makes the testers' next hops reachable; without
   * it BIRD keeps the routes unreachable.
   */
  static String render(DutSetup s) {
    StringBuilder b = new StringBuilder();
    b.append("log stderr { warning, error, fatal };\n");
    b.append("router id ").append(s.ip()).append(";\n");
    b.append("protocol device { }\n");
    b.append("protocol static { ipv4; route 100.64.0.0/10 via \"lo\"; }\n");
    b.append("template bgp rr_clients {\n");
    b.append("  local ")
        .append(s.ip())
        .append(" port ")
        .append(s.port())
        .append(" as ")
        .append(s.asn())
        .append(";\n");
    b.append("  strict bind yes;\n");
    b.append("  passive on;\n");
    b.append("  rr client;\n");
    b.append("  rr cluster id ").append(s.ip()).append(";\n");
    b.append("  ipv4 { import all; export all; };\n");
    b.append("}\n");
    List<Inet4Address> clients = s.clients();
    for (int i = 0; i < clients.size(); i++) {
      b.append("protocol bgp c")
          .append(i)
          .append(" from rr_clients { neighbor ")
          .append(clients.get(i).getHostAddress())
          .append(" as ")
          .append(s.asn())
          .append("; }\n");
    }
    return b.toString();
  }

  @Override
  public void start(DutSetup s) {
    Path conf = s.dir().resolve("bird.conf");
    try {
      Files.writeString(conf, render(s));
    } catch (IOException e) {
      throw new BenchException("cannot write " + conf + ": " + e, e);
    }
    launch(
        "bird",
        List.of("bird", "-f", "-c", conf.toString(), "-s", s.dir().resolve("bird.ctl").toString()),
        s);
  }
}
