package dev.netctl.agent.node;

import dev.netctl.agent.kernel.Link;
import dev.netctl.agent.kernel.Ownership;
import dev.netctl.datastore.model.Cidr;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Picks the node's address the way Calico's {@code IP_AUTODETECTION_METHOD} does, from the links
 * the kernel reports — with the interface's real prefix length, because a /32 would make every
 * other node look like another subnet and silently turn CrossSubnet into "always encapsulate".
 *
 * <p>Methods: {@code first-found} (the first global address on an interface that is not a loopback,
 * a workload veth, a tunnel, a container runtime's bridge or another agent's device: Calico's
 * exclusion list), {@code interface=REGEX}, {@code cidr=CIDR}, and {@code can-reach=ADDR} (resolved
 * by the caller to the source address the kernel would use).
 */
public final class AddressDetector {

  private static final Pattern SKIP =
      Pattern.compile(
          "^(lo|docker.*|cbr.*|dummy.*|virbr.*|lxcbr.*|veth.*|flannel.*|kube-ipvs.*|cni.*|"
              + "br-.*|podman.*|wireguard\\.cali.*|wg-v6\\.cali.*|nodelocaldns.*|"
              + "vxlan.*|tunl.*|"
              + Pattern.quote(Ownership.IFACE_PREFIX)
              + ".*)$");

  private AddressDetector() {}

  /**
   * The address chosen by {@code method} for one family.
   *
   * @param method {@code first-found}, {@code interface=REGEX} or {@code cidr=CIDR}
   * @throws IllegalArgumentException for an unknown method
   */
  public static Optional<Cidr> detect(List<Link> links, String method, boolean v6) {
    if (method == null || method.equals("first-found")) {
      return first(links, v6, l -> !SKIP.matcher(l.name()).matches());
    }
    if (method.startsWith("interface=")) {
      Pattern p = Pattern.compile(method.substring("interface=".length()));
      return first(links, v6, l -> p.matcher(l.name()).matches());
    }
    if (method.startsWith("cidr=")) {
      Cidr want = Cidr.parse(method.substring("cidr=".length()));
      return links.stream()
          .flatMap(l -> l.addresses().stream())
          .filter(a -> a.isIPv4() != v6 && want.contains(a.address()))
          .findFirst();
    }
    throw new IllegalArgumentException(
        "ip-autodetection: \""
            + method
            + "\" is not a method: use first-found, interface=REGEX, can-reach=ADDR or cidr=CIDR");
  }

  /** The address of {@code links} equal to {@code address}, with its interface's prefix length. */
  public static Optional<Cidr> withPrefix(List<Link> links, java.net.InetAddress address) {
    return links.stream()
        .flatMap(l -> l.addresses().stream())
        .filter(a -> a.address().equals(address))
        .findFirst();
  }

  /** The interface that holds {@code address}. */
  public static Optional<Link> linkOf(List<Link> links, java.net.InetAddress address) {
    return links.stream()
        .filter(l -> l.addresses().stream().anyMatch(a -> a.address().equals(address)))
        .findFirst();
  }

  private static Optional<Cidr> first(
      List<Link> links, boolean v6, java.util.function.Predicate<Link> ok) {
    for (Link l : links) {
      if (!ok.test(l)) continue;
      for (Cidr a : l.addresses()) {
        if (a.isIPv4() == v6) continue;
        if (a.address().isLoopbackAddress() || a.address().isLinkLocalAddress()) continue;
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
