package dev.netctl.agent.kernel;

import dev.netctl.datastore.model.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One route the agent owns (main table, protocol {@link Ownership#ROUTE_PROTOCOL}).
 *
 * @param dst the destination prefix, host bits clear
 * @param type unicast or blackhole
 * @param gateways next hops: none (a link route through {@code dev}), one, or several (ECMP)
 * @param dev the output device, or null to let the kernel resolve it from the gateway
 * @param onlink whether the gateway is reachable on {@code dev} without a covering subnet route
 *     (tunnel routes: the peer's tunnel address is not in any local subnet)
 */
public record Route(Cidr dst, Type type, List<InetAddress> gateways, String dev, boolean onlink) {

  /** The route types the agent programs. */
  public enum Type {
    UNICAST,
    BLACKHOLE
  }

  public Route {
    Objects.requireNonNull(dst, "dst");
    Objects.requireNonNull(type, "type");
    gateways = gateways == null ? List.of() : List.copyOf(gateways);
    if (type == Type.UNICAST && gateways.isEmpty() && dev == null) {
      throw new IllegalArgumentException("route " + dst + " needs a gateway or a device");
    }
  }

  /** {@code blackhole dst}: an own block, so traffic to its unused addresses stops here. */
  public static Route blackhole(Cidr dst) {
    return new Route(dst, Type.BLACKHOLE, List.of(), null, false);
  }

  /** {@code dst dev DEV scope link}: a local workload behind its veth. */
  public static Route link(Cidr dst, String dev) {
    return new Route(dst, Type.UNICAST, List.of(), dev, false);
  }

  /** {@code dst via GW [dev DEV] [onlink]}. */
  public static Route via(Cidr dst, InetAddress gateway, String dev, boolean onlink) {
    return new Route(dst, Type.UNICAST, List.of(gateway), dev, onlink);
  }

  /** The {@code ip route} arguments after the verb, e.g. {@code 10.0.0.0/26 via 1.2.3.4 ...}. */
  public String ipArgs() {
    StringBuilder sb = new StringBuilder();
    if (type == Type.BLACKHOLE) sb.append("blackhole ");
    sb.append(dst);
    if (gateways.size() == 1) {
      sb.append(" via ").append(Cidr.format(gateways.getFirst()));
      if (dev != null) sb.append(" dev ").append(dev);
      if (onlink) sb.append(" onlink");
    } else if (gateways.size() > 1) {
      for (InetAddress g : gateways) {
        sb.append(" nexthop via ").append(Cidr.format(g));
        if (dev != null) sb.append(" dev ").append(dev);
        if (onlink) sb.append(" onlink");
      }
    } else if (dev != null) {
      sb.append(" dev ").append(dev).append(" scope link");
    }
    sb.append(" proto ").append(Ownership.ROUTE_PROTOCOL);
    return sb.toString();
  }

  @Override
  public String toString() {
    return ipArgs();
  }
}
