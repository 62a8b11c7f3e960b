package dev.netctl.agent.policy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The reachability truth table {@code policy matrix} prints: every ordered pair of distinct
 * endpoints, for each port.
 */
public final class Matrix {
  private Matrix() {}

  /**
   * A port with its protocol, as written {@code 80/TCP}.
   *
   * @param port the port
   * @param protocol the protocol number
   */
  public record PortProto(int port, int protocol) {
    /**
     * Parses {@code 80/TCP}, {@code UDP/53} or {@code 80} (TCP); for ICMP the number is the type
     * ({@code 8/ICMP}: echo request, {@code 128/ICMPv6}).
     */
    public static PortProto parse(String s) {
      String[] parts = s.trim().split("/");
      if (parts.length == 1) return new PortProto(port(parts[0]), Protocols.TCP);
      if (parts.length != 2) throw new IllegalArgumentException("bad port " + s + " (want 80/TCP)");
      boolean numberFirst = Character.isDigit(parts[0].charAt(0));
      String p = numberFirst ? parts[0] : parts[1];
      String proto = numberFirst ? parts[1] : parts[0];
      int protocol = Protocols.parse(proto);
      int port = port(p);
      if ((protocol == Protocols.ICMP || protocol == Protocols.ICMPV6) && port > 255) {
        throw new IllegalArgumentException("ICMP type " + port + " is not 0-255 in " + s);
      }
      return new PortProto(port, protocol);
    }

    private static int port(String s) {
      int p;
      try {
        p = Integer.parseInt(s);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad port " + s + " (want a number 1-65535)");
      }
      if (p < 1 || p > 65535) throw new IllegalArgumentException("port " + p + " is not 1-65535");
      return p;
    }

    @Override
    public String toString() {
      return port + "/" + Protocols.name(protocol);
    }
  }

  /**
   * One cell.
   *
   * @param from source {@code ns/pod}
   * @param to destination {@code ns/pod}
   * @param port the port
   * @param allowed the verdict
   */
  public record Cell(String from, String to, String port, boolean allowed) {}

  /** Every cell over IPv4, port by port, then source, then destination, in the given orders. */
  public static List<Cell> compute(Evaluator ev, List<Endpoint> endpoints, List<PortProto> ports) {
    return compute(ev, endpoints, ports, IpFamily.V4);
  }

  /**
   * Every cell for traffic of {@code family} between the endpoints' addresses of that family
   * (endpoints without one are left out), port by port, then source, then destination.
   */
  public static List<Cell> compute(
      Evaluator ev, List<Endpoint> endpoints, List<PortProto> ports, IpFamily family) {
    List<Cell> out = new ArrayList<>();
    for (PortProto pp : ports) {
      for (Endpoint s : endpoints) {
        InetAddress sa = s.address(family);
        if (sa == null) continue;
        for (Endpoint d : endpoints) {
          InetAddress da = d.address(family);
          if (d == s || da == null) continue;
          boolean ok = ev.evaluate(sa, da, pp.protocol(), pp.port()).allowed();
          out.add(new Cell(s.id(), d.id(), pp.toString(), ok));
        }
      }
    }
    return out;
  }
}
