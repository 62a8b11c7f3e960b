package dev.netctl.agent.kernel;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The part of the kernel the dataplane managers program: links, addresses, owned routes, VXLAN
 * neighbours and FDB, sysctls. The real kernel of the network namespace the process runs in is
 * {@link NetlinkKernel} (routes and VTEPs through rtnetlink, the rest through {@link IpKernel}'s
 * iproute2); an in-memory one backs the managers' unit tests.
 *
 * <p>Batch operations apply every item they can and report the ones that failed, so one bad route
 * never stops the others.
 */
public interface Kernel {

  /** Every interface with its addresses. */
  List<Link> links();

  /** One interface, if present. */
  default Optional<Link> link(String name) {
    return links().stream().filter(l -> l.name().equals(name)).findFirst();
  }

  /** Every route in the main table carrying our protocol number, both families. */
  List<Route> ownedRoutes();

  /**
   * Replaces (adds or changes) and deletes routes.
   *
   * @return the routes (of {@code replace} or {@code delete}) whose operation failed, with why
   */
  List<Failure> applyRoutes(List<Route> replace, List<Route> delete);

  /** Creates the VXLAN device or brings an existing one to the given settings. */
  void ensureVxlan(Vxlan spec);

  /**
   * Tries to create an IP-in-IP device.
   *
   * @return false when this kernel has no IP-in-IP support (the caller falls back)
   */
  boolean ensureIpip(String name, java.net.InetAddress local, int mtu);

  /** Deletes a link if it exists. */
  void deleteLink(String name);

  /** The permanent neighbour entries (with their FDB destinations) on a VXLAN device. */
  List<Neighbour> neighbours(String device);

  /** Replaces and deletes VTEP neighbour + FDB entries on a VXLAN device. */
  default List<Failure> applyNeighbours(
      String device, List<Neighbour> replace, List<Neighbour> delete) {
    return applyNeighbours(device, replace, delete, Set.of());
  }

  /**
   * Replaces and deletes VTEP neighbour + FDB entries on a VXLAN device. The FDB is keyed by MAC
   * and written with replace semantics, so a replaced entry is updated in place. A deleted
   * neighbour's FDB entry goes with it unless its {@link Neighbour#fdbKey} is in {@code keepFdb}: a
   * peer that kept its VTEP MAC but got a new tunnel address has an old neighbour to delete whose
   * MAC the new one uses.
   */
  List<Failure> applyNeighbours(
      String device, List<Neighbour> replace, List<Neighbour> delete, Set<String> keepFdb);

  /**
   * The gateway the kernel's routing takes toward {@code target} ({@code ip route get}), or null
   * when {@code target} is on a link of this node, or unreachable: how a BGP next hop that is not
   * on a link is resolved (BIRD's {@code gateway recursive}).
   */
  default java.net.InetAddress gatewayTo(java.net.InetAddress target) {
    return null;
  }

  /** Writes a sysctl under /proc/sys, e.g. {@code net/ipv4/ip_forward}. */
  void sysctl(String key, String value);

  /**
   * Calls {@code onChange} with the name of a link that appeared or changed, an address added or
   * removed included ({@code false}), or went away ({@code true}), from a thread of its own, until
   * the returned handle is closed.
   */
  AutoCloseable watchLinks(java.util.function.BiConsumer<String, Boolean> onChange);

  /** Runs an nftables script as one transaction ({@code nft -f -}). */
  void nft(String script);

  /** Checks an nftables script without applying it ({@code nft -c -f -}). */
  void nftCheck(String script);

  /** {@code nft -j list table FAMILY NAME}, or null when there is no such table. */
  String nftListTable(String family, String name);

  /**
   * An item that could not be applied.
   *
   * @param item the route or neighbour
   * @param error what the kernel said, for people: its words depend on the tool and its version
   * @param deviceMissing the device the item goes through does not exist (ENODEV, or no such
   *     interface index): what a caller decides on, never the words
   */
  record Failure(Object item, String error, boolean deviceMissing) {

    /** A failure for another reason than a missing device. */
    public Failure(Object item, String error) {
      this(item, error, false);
    }
  }
}
