package dev.netctl.agent.kernel;

import dev.netctl.datastore.model.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An in-memory kernel for the managers' unit tests: routes (ours and others'), links, VTEPs,
 * sysctls and the last nft script, with failure injection per route and a log of every write.
 */
public final class FakeKernel implements Kernel {

  public final Map<Cidr, Route> owned = new LinkedHashMap<>();

  /** Routes of other protocols: never to be touched. */
  public final Map<Cidr, Route> foreign = new LinkedHashMap<>();

  public final Map<String, Link> links = new LinkedHashMap<>();
  public final Map<String, Vxlan> vxlans = new HashMap<>();
  public final Map<String, Set<Neighbour>> neighbours = new HashMap<>();
  public final Map<String, String> sysctls = new HashMap<>();
  // Appended by the agent's thread while a test reads it.
  public final List<String> nftScripts = new java.util.concurrent.CopyOnWriteArrayList<>();
  public final List<String> writes = java.util.Collections.synchronizedList(new ArrayList<>());
  public boolean ipipSupported = false;
  public volatile Predicate<Route> failRoute = r -> false;

  /** When set, a route through a device not in {@link #links} fails as the kernel's does. */
  public volatile boolean devicesMustExist;

  /**
   * What the refusal of a route through a missing device says: iproute2's words by default; a test
   * sets other words (another iproute2, a translated message) to show nothing reads them.
   */
  public volatile String missingDeviceError = "Cannot find device \"%s\"";

  /** Thrown, undeclared, by {@link #links()} when set: a checked exception a library smuggles. */
  public volatile Exception linksFailure;

  @Override
  public List<Link> links() {
    if (linksFailure != null) FakeKernel.<RuntimeException>sneaky(linksFailure);
    return List.copyOf(links.values());
  }

  @SuppressWarnings("unchecked")
  private static <E extends Exception> void sneaky(Exception e) throws E {
    throw (E) e;
  }

  @Override
  public List<Route> ownedRoutes() {
    return List.copyOf(owned.values());
  }

  @Override
  public List<Failure> applyRoutes(List<Route> replace, List<Route> delete) {
    List<Failure> failures = new ArrayList<>();
    for (Route r : delete) {
      writes.add("route del " + r.dst());
      if (owned.remove(r.dst()) == null) failures.add(new Failure(r, "No such process"));
    }
    for (Route r : replace) {
      writes.add("route replace " + r.ipArgs());
      if (failRoute.test(r)) {
        failures.add(new Failure(r, "injected failure"));
        continue;
      }
      if (devicesMustExist && r.dev() != null && !links.containsKey(r.dev())) {
        failures.add(new Failure(r, String.format(missingDeviceError, r.dev()), true));
        continue;
      }
      if (onlinkMismatch(r)) {
        failures.add(new Failure(r, "Nexthop has invalid gateway or device mismatch"));
        continue;
      }
      owned.put(r.dst(), r);
    }
    return failures;
  }

  /**
   * The kernel's IPv6 onlink check (NetlinkKernelIT pins it): the gateway must not resolve, by
   * longest prefix, through another of our routes (not the default) on a different device.
   */
  private boolean onlinkMismatch(Route r) {
    if (!r.onlink() || r.gateways().size() != 1) return false;
    java.net.InetAddress gw = r.gateways().getFirst();
    if (!(gw instanceof java.net.Inet6Address)) return false;
    Route best = null;
    for (Route o : owned.values()) {
      if (o.dst().prefixLength() > 0
          && o.dst().contains(gw)
          && (best == null || o.dst().prefixLength() > best.dst().prefixLength())) best = o;
    }
    return best != null && best.dev() != null && !best.dev().equals(r.dev());
  }

  @Override
  public void ensureVxlan(Vxlan spec) {
    writes.add("vxlan " + spec.name());
    vxlans.put(spec.name(), spec);
    List<Cidr> addrs = spec.address() == null ? List.of() : List.of(spec.address());
    links.put(
        spec.name(),
        new Link(spec.name(), 100 + links.size(), spec.mtu(), spec.mac(), true, "vxlan", addrs));
    neighbours.computeIfAbsent(spec.name(), k -> new HashSet<>());
  }

  @Override
  public boolean ensureIpip(String name, InetAddress local, int mtu) {
    writes.add("ipip " + name);
    return ipipSupported;
  }

  @Override
  public void deleteLink(String name) {
    writes.add("link del " + name);
    links.remove(name);
    vxlans.remove(name);
    neighbours.remove(name);
  }

  /** FDB per device, keyed by MAC as the kernel's is: a MAC has one destination. */
  public final Map<String, Map<String, InetAddress>> fdb = new HashMap<>();

  @Override
  public List<Neighbour> neighbours(String device) {
    Map<String, InetAddress> f = fdb.getOrDefault(device, Map.of());
    List<Neighbour> out = new ArrayList<>();
    for (Neighbour n : neighbours.getOrDefault(device, Set.of())) {
      out.add(new Neighbour(n.tunnelAddress(), n.mac(), f.get(n.mac())));
    }
    return out;
  }

  @Override
  public List<Failure> applyNeighbours(
      String device, List<Neighbour> replace, List<Neighbour> delete, Set<String> keepFdb) {
    Set<Neighbour> s = neighbours.computeIfAbsent(device, k -> new HashSet<>());
    Map<String, InetAddress> f = fdb.computeIfAbsent(device, k -> new HashMap<>());
    for (Neighbour n : delete) {
      writes.add("neigh del " + n.tunnelAddress().getHostAddress());
      s.removeIf(x -> x.tunnelAddress().equals(n.tunnelAddress()));
      if (!keepFdb.contains(n.fdbKey())) {
        writes.add("fdb del " + n.mac());
        f.remove(n.mac());
      }
    }
    for (Neighbour n : replace) {
      writes.add("neigh replace " + n.tunnelAddress().getHostAddress());
      s.removeIf(x -> x.tunnelAddress().equals(n.tunnelAddress()));
      s.add(new Neighbour(n.tunnelAddress(), n.mac(), null));
      f.put(n.mac(), n.underlay());
    }
    return List.of();
  }

  @Override
  public void sysctl(String key, String value) {
    sysctls.put(key, value);
  }

  /** The agent's link-change callback, for tests to fire. */
  public volatile java.util.function.BiConsumer<String, Boolean> linkListener;

  @Override
  public AutoCloseable watchLinks(java.util.function.BiConsumer<String, Boolean> onChange) {
    linkListener = onChange;
    return () -> linkListener = null;
  }

  @Override
  public void nftCheck(String script) {}

  @Override
  public String nftListTable(String family, String name) {
    return null;
  }

  @Override
  public void nft(String script) {
    writes.add("nft");
    nftScripts.add(script);
  }
}
