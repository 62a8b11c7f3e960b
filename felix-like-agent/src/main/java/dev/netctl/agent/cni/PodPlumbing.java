package dev.netctl.agent.cni;

import dev.netctl.agent.exec.Exec;
import dev.netctl.agent.kernel.Ownership;
import dev.netctl.ipam.block.Cidr;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Calico's pod plumbing with {@code ip}: a veth whose host end ({@code cali…}, MAC {@code
 * ee:ee:ee:ee:ee:ee}, proxy ARP, forwarding) stays in the node's namespace and whose other end is
 * created directly inside the pod's namespace under the runtime's interface name; the pod gets /32
 * and /128 addresses and routes through the link-scoped gateway {@code 169.254.1.1} (IPv6: the host
 * end's link-local address), the node a /32 (/128) route to the veth marked with the agent's
 * protocol number.
 *
 * <p>One ADD is one {@code sh} process running two {@code ip -batch} (host, then pod through {@code
 * nsenter}) and a few sysctl writes, ≈ 10–15 ms. The host end carries the container id as its
 * {@code ifalias}, so a DEL for an older sandbox of the same pod (same veth name) never removes the
 * newer sandbox's veth.
 *
 * <p>{@code hostNetns} null means the agent's own namespace (production); a path runs the host side
 * through {@code nsenter --net=PATH}, which is how the tests make a network namespace the node.
 */
public final class PodPlumbing {

  /** The host end's MAC, as Calico's: the pod only ever talks to it. */
  public static final String HOST_MAC = "ee:ee:ee:ee:ee:ee";

  /** The pod's IPv4 gateway, link-scoped: answered by proxy ARP on the host end. */
  public static final String GATEWAY_V4 = "169.254.1.1";

  /** The pod's IPv6 gateway: the EUI-64 link-local address of {@link #HOST_MAC}. */
  public static final String GATEWAY_V6 = "fe80::ecee:eeff:feee:eeee";

  /**
   * One pod interface.
   *
   * @param hostIface host end name
   * @param containerId the sandbox, kept as the host end's alias
   * @param podNetns the pod's netns path (CNI_NETNS)
   * @param ifName the pod end's name (CNI_IFNAME)
   * @param mtu both ends' MTU
   * @param podMac the pod end's MAC
   * @param v4 the pod's IPv4 address, or null
   * @param v6 the pod's IPv6 address, or null
   */
  public record Veth(
      String hostIface,
      String containerId,
      String podNetns,
      String ifName,
      int mtu,
      String podMac,
      InetAddress v4,
      InetAddress v6) {}

  /**
   * Which families got a default route through the new interface.
   *
   * @param v4 IPv4: {@code default via 169.254.1.1}
   * @param v6 IPv6: {@code default via fe80::ecee:eeff:feee:eeee}
   */
  public record DefaultRoutes(boolean v4, boolean v6) {}

  /** The pod's first interface, as the runtime names it; any other one is a second interface. */
  static final String PRIMARY_IFNAME = "eth0";

  private static final String ADDED_V4 = "netctl-default-v4";
  private static final String ADDED_V6 = "netctl-default-v6";

  private final Path hostNetns;

  public PodPlumbing(Path hostNetns) {
    this.hostNetns = hostNetns;
  }

  /**
   * Plumbs the pod and returns the families it got default routes for through this interface; on
   * failure removes what it made and throws a {@link CniError}.
   */
  public DefaultRoutes add(Veth v) {
    String h = v.hostIface();
    StringBuilder batch = new StringBuilder();
    batch
        .append("link add ")
        .append(h)
        .append(" mtu ")
        .append(v.mtu())
        .append(" address ")
        .append(HOST_MAC)
        .append(" type veth peer name ")
        .append(v.ifName())
        .append(" mtu ")
        .append(v.mtu())
        .append(" address ")
        .append(v.podMac())
        .append(" netns ")
        .append(v.podNetns())
        .append('\n');
    // The gateway's link-local address is added without DAD instead of generated with it, so the
    // pod's first IPv6 packets need not wait a second for it, and no sysctl has to be written
    // between creating the link and bringing it up.
    batch.append("link set ").append(h).append(" addrgenmode none\n");
    batch.append("link set ").append(h).append(" alias ").append(v.containerId()).append('\n');
    if (v.v6() != null)
      batch.append("addr add ").append(GATEWAY_V6).append("/64 dev ").append(h).append(" nodad\n");
    batch.append("link set ").append(h).append(" up\n");
    for (InetAddress a : addresses(v)) {
      batch
          .append("route replace ")
          .append(hostRoute(a))
          .append(" dev ")
          .append(h)
          .append(" scope link proto ")
          .append(Ownership.ROUTE_PROTOCOL)
          .append('\n');
    }
    StringBuilder s = new StringBuilder("set -e\nhost() {\nip -batch - <<'HOST'\n");
    s.append(batch).append("HOST\n}\n");
    // A veth of the same name is an older sandbox of the same pod (or an ADD that died): the new
    // one replaces it. Deleting first on every ADD would cost a process, so only on a clash.
    s.append("host || { ip link del ")
        .append(Commands.quote(h))
        .append(" 2>/dev/null || true; host; }\n");
    String conf4 = "/proc/sys/net/ipv4/conf/" + h;
    s.append("echo 1 > ").append(conf4).append("/proxy_arp\n");
    s.append("echo 1 > ").append(conf4).append("/forwarding\n");
    s.append("echo 0 > /proc/sys/net/ipv4/neigh/").append(h).append("/proxy_delay\n");
    if (v.v6() != null) {
      String conf6 = "/proc/sys/net/ipv6/conf/" + h;
      s.append("echo 0 > ").append(conf6).append("/accept_ra\n");
      s.append("echo 1 > ").append(conf6).append("/forwarding\n");
    }
    String i = v.ifName();
    String pod = "nsenter --net=" + Commands.quote(v.podNetns()) + " ip";
    s.append(pod).append(" -batch - <<'POD'\n");
    if (v.v4() != null)
      s.append("addr add ").append(Cidr.format(v.v4())).append("/32 dev ").append(i).append('\n');
    if (v.v6() != null) {
      s.append("addr add ")
          .append(Cidr.format(v.v6()))
          .append("/128 dev ")
          .append(i)
          .append(" nodad\n");
    }
    s.append("link set ").append(i).append(" up\n");
    boolean primary = v.ifName().equals(PRIMARY_IFNAME);
    if (primary) {
      if (v.v4() != null) s.append(podRoutes(i, false));
      if (v.v6() != null) s.append(podRoutes(i, true));
      s.append("POD\n");
    } else {
      // A second interface (Multus' net1, …) would clash with the first one's gateway and default
      // routes (EEXIST): it gets them only for a family the pod has no default route for yet.
      s.append("POD\n");
      if (v.v4() != null) s.append(routesIfNoDefault(pod, i, false));
      if (v.v6() != null) s.append(routesIfNoDefault(pod, i, true));
    }
    Exec.Result o = Commands.run(hostShell(), s.toString());
    if (!o.ok()) {
      remove(v.hostIface(), v.containerId());
      throw new CniError(
          CniError.PLUMBING_FAILURE,
          "cannot plumb "
              + v.ifName()
              + " in "
              + v.podNetns()
              + " (host end "
              + v.hostIface()
              + ")",
          o.stderr().strip());
    }
    return primary
        ? new DefaultRoutes(v.v4() != null, v.v6() != null)
        : new DefaultRoutes(o.stdout().contains(ADDED_V4), o.stdout().contains(ADDED_V6));
  }

  /** The pod's gateway route and default route through it on {@code ifName}, as batch lines. */
  private static String podRoutes(String ifName, boolean v6) {
    String gw = v6 ? GATEWAY_V6 : GATEWAY_V4;
    return "route add "
        + gw
        + " dev "
        + ifName
        + (v6 ? "" : " scope link")
        + "\nroute add default via "
        + gw
        + " dev "
        + ifName
        + "\n";
  }

  /** Shell: adds {@link #podRoutes} if the pod has no default route of that family, and says so. */
  private static String routesIfNoDefault(String pod, String ifName, boolean v6) {
    String family = v6 ? " -6" : " -4";
    return "if [ -z \"$("
        + pod
        + family
        + " route show default)\" ]; then\n"
        + pod
        + " -batch - <<'ROUTES'\n"
        + podRoutes(ifName, v6)
        + "ROUTES\necho "
        + (v6 ? ADDED_V6 : ADDED_V4)
        + "\nfi\n";
  }

  /**
   * Deletes the host end (the pod end goes with it) if it still belongs to {@code containerId}.
   * Nothing there, or another sandbox's veth, is success: DEL must be idempotent.
   */
  public void remove(String hostIface, String containerId) {
    String h = Commands.quote(hostIface);
    String script =
        "if ip -o link show dev "
            + h
            + " 2>/dev/null | grep -qF "
            + Commands.quote("alias " + containerId)
            + "; then ip link del "
            + h
            + " 2>/dev/null || true; fi\n";
    Exec.Result o = Commands.run(hostShell(), script);
    if (!o.ok()) {
      throw new CniError(
          CniError.PLUMBING_FAILURE,
          "cannot delete host interface " + hostIface,
          o.stderr().strip());
    }
  }

  /** The host-end names of every veth in the node namespace, with the container id they carry. */
  public Map<String, String> hostVeths() {
    Exec.Result o = Commands.run(hostShell(), "ip -o link show type veth\n");
    Map<String, String> out = new HashMap<>();
    if (!o.ok()) return out;
    for (String line : o.stdout().split("\n")) {
      String[] f = line.split(": ", 3);
      if (f.length < 3) continue;
      String name = f[1].contains("@") ? f[1].substring(0, f[1].indexOf('@')) : f[1];
      if (!name.startsWith(Ownership.IFACE_PREFIX)) continue;
      int a = line.indexOf("alias ");
      out.put(name, a < 0 ? "" : line.substring(a + 6).strip());
    }
    return out;
  }

  /** What is missing or wrong about the pod's interface, addresses and routes; empty when fine. */
  public List<String> check(Veth v) {
    String h = Commands.quote(v.hostIface());
    String p = Commands.quote(v.podNetns());
    String script =
        "echo '#link'; ip -o link show dev "
            + h
            + "\necho '#host4'; ip -j route show dev "
            + h
            + "\necho '#host6'; ip -j -6 route show dev "
            + h
            + "\necho '#addr'; nsenter --net="
            + p
            + " ip -j addr show dev "
            + Commands.quote(v.ifName())
            + "\necho '#pod4'; nsenter --net="
            + p
            + " ip -j route show\necho '#pod6'; nsenter --net="
            + p
            + " ip -j -6 route show\n";
    Map<String, String> out = sections(Commands.run(hostShell(), script).stdout());
    List<String> problems = new ArrayList<>();
    String link = out.getOrDefault("link", "");
    if (link.isBlank()) {
      problems.add("host interface " + v.hostIface() + " does not exist");
      return problems;
    }
    if (!link.contains("alias " + v.containerId())) {
      problems.add("host interface " + v.hostIface() + " belongs to another container");
    }
    if (!link.contains("state UP") && !link.contains(",UP")) {
      problems.add("host interface " + v.hostIface() + " is down");
    }
    List<Map<String, Object>> hostRoutes = new ArrayList<>(jsonList(out.get("host4")));
    hostRoutes.addAll(jsonList(out.get("host6")));
    List<Map<String, Object>> addr = jsonList(out.get("addr"));
    if (addr.isEmpty()) {
      problems.add("interface " + v.ifName() + " does not exist in " + v.podNetns());
      return problems;
    }
    List<InetAddress> podAddrs = new ArrayList<>();
    if (addr.getFirst().get("addr_info") instanceof List<?> infos) {
      for (Object info : infos) {
        if (info instanceof Map<?, ?> m && m.get("local") instanceof String local) {
          podAddrs.add(Cidr.parseAddress(local));
        }
      }
    }
    List<Map<String, Object>> podRoutes = new ArrayList<>(jsonList(out.get("pod4")));
    podRoutes.addAll(jsonList(out.get("pod6")));
    for (InetAddress a : addresses(v)) {
      String text = Cidr.format(a);
      if (!podAddrs.contains(a)) {
        problems.add("address " + text + " is not on " + v.ifName() + " in " + v.podNetns());
      }
      if (hostRoutes.stream().noneMatch(r -> sameAddress(r.get("dst"), a))) {
        problems.add("no host route " + hostRoute(a) + " dev " + v.hostIface());
      }
      String gw = a instanceof Inet6Address ? GATEWAY_V6 : GATEWAY_V4;
      if (podRoutes.stream()
          .noneMatch(r -> "default".equals(r.get("dst")) && gw.equals(r.get("gateway")))) {
        problems.add("no default route via " + gw + " in " + v.podNetns());
      }
    }
    return problems;
  }

  private static boolean sameAddress(Object dst, InetAddress a) {
    if (!(dst instanceof String s) || s.equals("default")) return false;
    int slash = s.indexOf('/');
    try {
      return Cidr.parseAddress(slash < 0 ? s : s.substring(0, slash)).equals(a);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static Map<String, String> sections(String stdout) {
    Map<String, String> m = new HashMap<>();
    String current = null;
    StringBuilder b = new StringBuilder();
    for (String line : stdout.split("\n", -1)) {
      if (line.startsWith("#")) {
        if (current != null) m.put(current, b.toString());
        current = line.substring(1).strip();
        b.setLength(0);
      } else {
        b.append(line).append('\n');
      }
    }
    if (current != null) m.put(current, b.toString());
    return m;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> jsonList(String text) {
    if (text == null || text.isBlank()) return List.of();
    List<Map<String, Object>> out = new ArrayList<>();
    try {
      if (Json.parse(text.strip()) instanceof List<?> l) {
        for (Object o : l) if (o instanceof Map<?, ?> m) out.add((Map<String, Object>) m);
      }
    } catch (Json.ParseException e) {
      return List.of();
    }
    return out;
  }

  private static List<InetAddress> addresses(Veth v) {
    List<InetAddress> out = new ArrayList<>();
    if (v.v4() != null) out.add(v.v4());
    if (v.v6() != null) out.add(v.v6());
    return out;
  }

  private static String hostRoute(InetAddress a) {
    return Cidr.format(a) + (a instanceof Inet6Address ? "/128" : "/32");
  }

  private List<String> hostShell() {
    return hostNetns == null
        ? List.of("sh", "-s")
        : List.of("nsenter", "--net=" + hostNetns, "sh", "-s");
  }
}
