package dev.netctl.ipam.allocator;

import dev.netctl.ipam.IpamException;
import dev.netctl.ipam.block.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Which pools a request may draw from, and which pool holds an address. */
final class Pools {
  private Pools() {}

  /**
   * The pools of one family that may serve {@code request}: enabled, selecting the node, allowing
   * the use, and named by the request when it names any.
   */
  static List<PoolSpec> select(
      List<PoolSpec> all, Map<String, String> labels, AssignRequest request, boolean v6) {
    String family = v6 ? "IPv6" : "IPv4";
    List<PoolSpec> out = new ArrayList<>();
    if (!request.pools().isEmpty()) {
      for (String name : request.pools()) {
        PoolSpec p =
            all.stream()
                .filter(x -> x.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IpamException.UnknownPool(name, request.handle()));
        if (p.ipv6() != v6) continue;
        if (p.disabled()) {
          throw new IpamException.PoolNotUsable("IPPool \"" + name + "\" is disabled");
        }
        if (!p.nodeSelector().matches(labels)) {
          throw new IpamException.PoolNotUsable(
              "IPPool \""
                  + name
                  + "\" nodeSelector does not select node \""
                  + request.node()
                  + "\"");
        }
        if (!p.allowedUses().contains(request.use())) {
          throw new IpamException.PoolNotUsable(
              "IPPool \""
                  + name
                  + "\" allowedUses "
                  + p.allowedUses()
                  + " does not include "
                  + request.use());
        }
        out.add(p);
      }
    } else {
      for (PoolSpec p : all) {
        if (p.ipv6() == v6
            && !p.disabled()
            && !p.manualOnly()
            && p.allowedUses().contains(request.use())
            && p.nodeSelector().matches(labels)) {
          out.add(p);
        }
      }
    }
    if (out.isEmpty()) {
      throw new IpamException.NoPoolForNode(request.node(), family, request.use());
    }
    return out;
  }

  /** The pool whose network holds {@code address}, disabled or not. */
  static Optional<PoolSpec> containing(List<PoolSpec> all, InetAddress address) {
    return all.stream().filter(p -> p.cidr().contains(address)).findFirst();
  }

  /** The pool whose network holds {@code block}. */
  static Optional<PoolSpec> containing(List<PoolSpec> all, Cidr block) {
    return all.stream().filter(p -> p.cidr().contains(block)).findFirst();
  }

  static boolean anyContains(List<PoolSpec> pools, Cidr block) {
    for (PoolSpec p : pools) if (p.cidr().contains(block)) return true;
    return false;
  }
}
