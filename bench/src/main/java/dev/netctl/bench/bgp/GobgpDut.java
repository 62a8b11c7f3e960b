package dev.netctl.bench.bgp;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** GoBGP ({@code gobgpd}) as a route reflector, configured by TOML. */
final class GobgpDut extends DaemonDut {

  @Override
  public String name() {
    return "gobgp";
  }

  /** Renders gobgpd.toml: passive route-reflector clients sharing the DUT's AS. */
  static String render(DutSetup s) {
    StringBuilder b = new StringBuilder();
    b.append("[global.config]\n");
    b.append("  as = ").append(s.asn()).append("\n");
    b.append("  router-id = \"").append(s.ip()).append("\"\n");
    b.append("  port = ").append(s.port()).append("\n");
    b.append("  local-address-list = [\"").append(s.ip()).append("\"]\n");
    for (Inet4Address c : s.clients()) {
      b.append("\n[[neighbors]]\n");
      b.append("  [neighbors.config]\n");
      b.append("    neighbor-address = \"").append(c.getHostAddress()).append("\"\n");
      b.append("    peer-as = ").append(s.asn()).append("\n");
      b.append("  [neighbors.transport.config]\n");
      b.append("    passive-mode = true\n");
      b.append("    local-address = \"").append(s.ip()).append("\"\n");
      b.append("  [neighbors.route-reflector.config]\n");
      b.append("    route-reflector-client = true\n");
      b.append("    route-reflector-cluster-id = \"").append(s.ip()).append("\"\n");
    }
    return b.toString();
  }

  @Override
  public void start(DutSetup s) {
    Path conf = s.dir().resolve("gobgpd.toml");
    int apiPort;
    try (ServerSocket probe = new ServerSocket(0, 1, s.address())) {
      apiPort = probe.getLocalPort();
      Files.writeString(conf, render(s));
    } catch (IOException e) {
      throw new BenchException("cannot prepare gobgpd in " + s.dir() + ": " + e, e);
    }
    launch(
        "gobgpd",
        List.of(
            "gobgpd",
            "-f",
            conf.toString(),
            "-l",
            "warn",
            "-p",
            "--pprof-disable",
            "--api-hosts",
            s.ip() + ":" + apiPort),
        s);
  }
}
