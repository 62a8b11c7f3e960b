package dev.netctl.agent.calc;

import dev.netctl.agent.kernel.Neighbour;
import dev.netctl.agent.kernel.Ownership;
import dev.netctl.agent.kernel.Route;
import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.model.EncapsulationMode;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns a {@link ClusterState} into this node's {@link DesiredState}: pure, no I/O, so every
 * routing rule is unit-tested without a kernel.
 *
 * <p>The rules are Calico's:
 *
 * <ul>
 *   <li>Own blocks → blackhole (traffic to their unused addresses stops here); local workloads →
 *       {@code /32 dev <veth> scope link}.
 *   <li>Another node's block in a VXLAN pool comes from the datastore: {@code via <its tunnel
 *       address> dev vxlan.calico onlink} with a permanent neighbour and FDB entry for its VTEP; in
 *       CrossSubnet mode a node in our subnet (judged by the prefix length of our own address) is
 *       reached natively, {@code via <its address>}.
 *   <li>Blocks of no-encapsulation and IP-in-IP pools come from BGP: each learned best path becomes
 *       a route to its next hop(s) (ECMP when several), through {@code tunl0 onlink} when the pool
 *       encapsulates toward that next hop.
 *   <li>IP-in-IP fallback: when either end's kernel has no IP-in-IP, the pool's traffic between
 *       them is carried over VXLAN with the pool's IPIP mode, programmed from the datastore like a
 *       VXLAN pool. Both ends decide the same way, since each publishes its fallback on its Node.
 * </ul>
 */
public final class Calculator {

  private final String nodeName;

  public Calculator(String nodeName) {
    this.nodeName = nodeName;
  }

  /** The desired state for {@code s}. */
  public DesiredState compute(ClusterState s) {
    NodeInfo me = s.nodes().get(nodeName);
    boolean anyFallback = s.nodes().values().stream().anyMatch(NodeInfo::ipipFallback);
    Map<Cidr, Route> routes = new LinkedHashMap<>();
    Set<Cidr> fromDatastore = new HashSet<>();
    Map<String, String> encapsulation = new TreeMap<>();
    List<Cidr> ownBlocks = new ArrayList<>();

    for (PoolInfo p : s.pools()) encapsulation.put(p.name(), describe(p, me, anyFallback));

    for (BlockInfo b : s.blocks()) {
      if (b.node() == null) continue;
      if (b.node().equals(nodeName)) {
        ownBlocks.add(b.cidr());
        routes.put(b.cidr(), Route.blackhole(b.cidr()));
        continue;
      }
      PoolInfo pool = s.poolOf(b.cidr());
      NodeInfo owner = s.nodes().get(b.node());
      if (pool == null || owner == null || me == null) continue;
      if (datastoreMode(pool, me, owner, !b.cidr().isIPv4()) == null) continue; // BGP decides
      fromDatastore.add(b.cidr());
      Route r = datastoreRoute(b, pool, me, owner);
      if (r != null) routes.put(b.cidr(), r);
    }

    for (var e : s.learned().entrySet()) {
      Cidr prefix = e.getKey();
      if (fromDatastore.contains(prefix) || routes.containsKey(prefix)) continue;
      if (coveredBy(prefix, ownBlocks)) continue;
      List<InetAddress> hops = new ArrayList<>();
      for (InetAddress nh : e.getValue()) if (!isMine(me, nh)) hops.add(nh);
      if (hops.isEmpty()) continue;
      PoolInfo pool = s.poolOf(prefix);
      boolean v6 = !prefix.isIPv4();
      if (pool != null && datastoreDriven(pool, me, v6)) continue;
      boolean ipip =
          pool != null
              && !v6
              && pool.ipipMode() != EncapsulationMode.NEVER
              && !(pool.ipipMode() == EncapsulationMode.CROSS_SUBNET
                  && me != null
                  && me.ipv4() != null
                  && hops.stream().allMatch(h -> me.ipv4().contains(h)));
      routes.put(
          prefix, new Route(prefix, Route.Type.UNICAST, hops, ipip ? Ownership.IPIP : null, ipip));
    }

    // An address another node's workload has outside that node's blocks: its block's route leads
    // to the block's owner (whose blackhole drops it) or nowhere. As Felix, a host route to the
    // workload's node, for the pools the datastore routes; BGP carries the others as host routes.
    if (me != null && !s.remoteWorkloads().isEmpty()) {
      // blocks by prefix, probed at each block length in use: no scan per workload
      Map<Cidr, String> blockNode = new java.util.HashMap<>();
      Set<Integer> lengths = new java.util.TreeSet<>();
      for (BlockInfo b : s.blocks()) {
        blockNode.put(b.cidr(), b.node() == null ? "" : b.node());
        lengths.add(b.cidr().prefixLength());
      }
      for (var e : s.remoteWorkloads().entrySet()) {
        Cidr a = e.getKey();
        String node = e.getValue();
        if (node.equals(nodeName)) continue;
        String blockOwner = null;
        for (int len : lengths) {
          if (len > a.prefixLength() || (len > 32 && a.isIPv4())) continue;
          blockOwner = blockNode.get(new Cidr(a.address(), len).masked());
          if (blockOwner != null) break;
        }
        if (node.equals(blockOwner)) continue; // in a block of its own node
        if ("".equals(blockOwner) && s.retiring(a)) continue; // its pool is being deleted
        PoolInfo pool = s.poolOf(a);
        NodeInfo owner = s.nodes().get(node);
        if (pool == null || owner == null) continue;
        if (datastoreMode(pool, me, owner, !a.isIPv4()) == null) continue;
        Route r = datastoreRoute(new BlockInfo(a, node), pool, me, owner);
        if (r != null) routes.put(a, r);
      }
    }

    for (WorkloadInfo w : s.workloads()) {
      for (Cidr a : w.addresses()) routes.put(a, Route.link(a, w.iface()));
    }

    boolean vxlanV4 = false;
    boolean vxlanV6 = false;
    boolean ipipWanted = false;
    List<Cidr> nat = new ArrayList<>();
    List<Cidr> all = new ArrayList<>();
    Set<Cidr> exported = new HashSet<>();
    for (PoolInfo p : s.pools()) {
      boolean v6 = !p.cidr().isIPv4();
      boolean vx = overVxlan(p, anyFallback);
      if (vx && v6) vxlanV6 = true;
      if (vx && !v6) vxlanV4 = true;
      if (!v6 && p.ipipMode() != EncapsulationMode.NEVER) ipipWanted = true;
      if (p.natOutgoing()) nat.add(p.cidr());
      all.add(p.cidr());
    }
    List<Cidr> originate = new ArrayList<>();
    for (Cidr b : ownBlocks) {
      PoolInfo p = s.poolOf(b);
      if (p != null && !p.disableBGPExport()) {
        originate.add(b);
        exported.add(b);
      }
    }
    // Addresses borrowed from other nodes' blocks: advertised as host routes, so the block's
    // owner (and everyone else) prefers them over the block's aggregate.
    for (WorkloadInfo w : s.workloads()) {
      for (Cidr a : w.addresses()) {
        PoolInfo p = s.poolOf(a);
        if (p != null && !p.disableBGPExport() && !coveredBy(a, ownBlocks) && !s.retiring(a)) {
          originate.add(a);
        }
      }
    }

    List<Neighbour> v4 = new ArrayList<>();
    List<Neighbour> v6 = new ArrayList<>();
    for (NodeInfo n : s.nodes().values()) {
      if (n.name().equals(nodeName)) continue;
      if (vxlanV4 && n.vxlanTunnelV4() != null && n.vxlanMacV4() != null && n.ipv4() != null) {
        v4.add(new Neighbour(n.vxlanTunnelV4(), n.vxlanMacV4(), n.ipv4().address()));
      }
      if (vxlanV6 && n.vxlanTunnelV6() != null && n.vxlanMacV6() != null && n.ipv6() != null) {
        v6.add(new Neighbour(n.vxlanTunnelV6(), n.vxlanMacV6(), n.ipv6().address()));
        Cidr host = new Cidr(n.vxlanTunnelV6(), 128);
        Route r = withVtepHostRoute(host, routes.get(host), me, n);
        if (r != null) routes.put(host, r);
      }
    }
    return new DesiredState(
        routes, vxlanV4, vxlanV6, v4, v6, ipipWanted, nat, all, originate, encapsulation);
  }

  /**
   * The route to another node's block when the datastore decides it (VXLAN pools, IPIP carried over
   * VXLAN), or null when BGP decides it or the owner's VTEP is not known yet. Lets the agent apply
   * a new block alone, without recomputing the rest.
   */
  public Route remoteBlockRoute(BlockInfo b, ClusterState s) {
    NodeInfo me = s.nodes().get(nodeName);
    NodeInfo owner = b.node() == null ? null : s.nodes().get(b.node());
    PoolInfo pool = s.poolOf(b.cidr());
    if (me == null || owner == null || pool == null || owner == me) return null;
    Route r =
        datastoreMode(pool, me, owner, !b.cidr().isIPv4()) == null
            ? null
            : datastoreRoute(b, pool, me, owner);
    // The same decision as compute()'s: a /128 block that is a peer's IPv6 VTEP address carries
    // the host route to that VTEP, whoever owns the block and whatever decides its pool.
    if (b.cidr().isIPv4() || b.cidr().prefixLength() != 128 || !vxlanWanted(s, true)) return r;
    for (NodeInfo n : s.nodes().values()) {
      if (n == me
          || n.vxlanTunnelV6() == null
          || n.vxlanMacV6() == null
          || n.ipv6() == null
          || !n.vxlanTunnelV6().equals(b.cidr().address())) {
        continue;
      }
      Route vtep = withVtepHostRoute(b.cidr(), r, me, n);
      if (vtep != null) return vtep;
    }
    return r;
  }

  /**
   * The route {@code host}, the /128 of {@code peer}'s IPv6 VTEP address, is programmed with, given
   * {@code current}, the route the rest of the calculation has for it (a /128 block that is the
   * tunnel address itself, or null); null when it needs none. The one place that decides it, for
   * the full calculation and for a block applied alone.
   *
   * <p>IPv6 refuses an onlink gateway that a more specific route sends through another device: the
   * peer's tunnel address lies in one of its blocks, which a CrossSubnet pool routes natively when
   * the peer is in our subnet, and then every route of another (VXLAN Always) pool via that address
   * is refused. A host route on the VXLAN device keeps the gateway where the onlink routes say it
   * is; a route already on that device stays.
   */
  private static Route withVtepHostRoute(Cidr host, Route current, NodeInfo me, NodeInfo peer) {
    if (me == null || me.vxlanTunnelV6() == null || peer.vxlanTunnelV6() == null) {
      return current;
    }
    if (current != null && Ownership.VXLAN_V6.equals(current.dev())) return current;
    return Route.link(host, Ownership.VXLAN_V6);
  }

  /** Whether some pool of the family is carried over VXLAN (so that family has VTEPs). */
  private static boolean vxlanWanted(ClusterState s, boolean v6) {
    boolean anyFallback = s.nodes().values().stream().anyMatch(NodeInfo::ipipFallback);
    for (PoolInfo p : s.pools()) {
      if (p.cidr().isIPv4() != v6 && overVxlan(p, anyFallback)) return true;
    }
    return false;
  }

  /** Whether {@code p}'s traffic goes over VXLAN: its own mode, or IPIP where a node lacks it. */
  private static boolean overVxlan(PoolInfo p, boolean anyFallback) {
    return p.vxlanMode() != EncapsulationMode.NEVER
        || (p.cidr().isIPv4() && p.ipipMode() != EncapsulationMode.NEVER && anyFallback);
  }

  private static Route datastoreRoute(BlockInfo b, PoolInfo pool, NodeInfo me, NodeInfo owner) {
    boolean v6 = !b.cidr().isIPv4();
    EncapsulationMode mode = datastoreMode(pool, me, owner, v6);
    if (mode == EncapsulationMode.CROSS_SUBNET && me.sameSubnet(owner, v6)) {
      Cidr addr = v6 ? owner.ipv6() : owner.ipv4();
      return Route.via(b.cidr(), addr.address(), null, false);
    }
    InetAddress tunnel = v6 ? owner.vxlanTunnelV6() : owner.vxlanTunnelV4();
    String mac = v6 ? owner.vxlanMacV6() : owner.vxlanMacV4();
    Cidr underlay = v6 ? owner.ipv6() : owner.ipv4();
    if (tunnel == null || mac == null || underlay == null) return null; // not ready yet
    // Without a tunnel address of our own we have no VTEP (no VXLAN pool serves this node).
    if ((v6 ? me.vxlanTunnelV6() : me.vxlanTunnelV4()) == null) return null;
    return Route.via(b.cidr(), tunnel, v6 ? Ownership.VXLAN_V6 : Ownership.VXLAN_V4, true);
  }

  /**
   * The mode in which this node reaches {@code owner}'s blocks of {@code pool} from the datastore
   * (VXLAN, or IPIP carried over VXLAN), or null when BGP decides.
   */
  private static EncapsulationMode datastoreMode(
      PoolInfo pool, NodeInfo me, NodeInfo owner, boolean v6) {
    if (pool.vxlanMode() != EncapsulationMode.NEVER) return pool.vxlanMode();
    if (!v6
        && pool.ipipMode() != EncapsulationMode.NEVER
        && (me.ipipFallback() || owner.ipipFallback())) {
      return pool.ipipMode();
    }
    return null;
  }

  private static boolean datastoreDriven(PoolInfo pool, NodeInfo me, boolean v6) {
    if (pool.vxlanMode() != EncapsulationMode.NEVER) return true;
    return !v6 && pool.ipipMode() != EncapsulationMode.NEVER && me != null && me.ipipFallback();
  }

  private static String describe(PoolInfo p, NodeInfo me, boolean anyFallback) {
    if (p.vxlanMode() == EncapsulationMode.ALWAYS) return "vxlan";
    if (p.vxlanMode() == EncapsulationMode.CROSS_SUBNET) return "vxlan-cross-subnet";
    if (p.ipipMode() != EncapsulationMode.NEVER) {
      String ipip = p.ipipMode() == EncapsulationMode.ALWAYS ? "ipip" : "ipip-cross-subnet";
      if (me != null && me.ipipFallback()) return ipip + " over vxlan (no IPIP in this kernel)";
      if (anyFallback) return ipip + " (vxlan toward nodes without IPIP)";
      return ipip;
    }
    return "native";
  }

  private static boolean isMine(NodeInfo me, InetAddress a) {
    return me != null
        && ((me.ipv4() != null && me.ipv4().address().equals(a))
            || (me.ipv6() != null && me.ipv6().address().equals(a)));
  }

  private static boolean coveredBy(Cidr prefix, List<Cidr> blocks) {
    for (Cidr b : blocks) {
      if (b.isIPv4() == prefix.isIPv4()
          && b.prefixLength() <= prefix.prefixLength()
          && b.contains(prefix.address())) {
        return true;
      }
    }
    return false;
  }
}
