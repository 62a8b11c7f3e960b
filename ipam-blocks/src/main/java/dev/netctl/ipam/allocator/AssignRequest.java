package dev.netctl.ipam.allocator;

import dev.netctl.ipam.IpamException;
import java.util.List;

/**
 * One auto-assignment: how many addresses of each family for one handle on one node.
 *
 * @param node the node the addresses are for
 * @param handle the handle that will release them
 * @param v4Count IPv4 addresses wanted
 * @param v6Count IPv6 addresses wanted
 * @param pod pod name recorded in the block's attributes, or null
 * @param namespace pod namespace, or null
 * @param use {@code Workload} or {@code Tunnel}; matched against pools' allowedUses
 * @param pools restrict to these pool names; empty means every pool that selects the node
 */
public record AssignRequest(
    String node,
    String handle,
    int v4Count,
    int v6Count,
    String pod,
    String namespace,
    String use,
    List<String> pools) {

  public AssignRequest {
    use = use == null ? PoolSpec.USE_WORKLOAD : use;
    pools = pools == null ? List.of() : List.copyOf(pools);
    if (node == null || node.isBlank()) {
      throw new IpamException.InvalidRequest("assign request: node must not be empty");
    }
    if (handle == null || handle.isBlank()) {
      throw new IpamException.InvalidRequest("assign request: handle must not be empty");
    }
    if (v4Count < 0 || v6Count < 0 || v4Count + v6Count == 0) {
      throw new IpamException.InvalidRequest(
          "assign request for handle \""
              + handle
              + "\": counts v4="
              + v4Count
              + " v6="
              + v6Count
              + " must be >= 0 and not both 0");
    }
  }

  /** A workload request with no pod details and no pool restriction. */
  public static AssignRequest of(String node, String handle, int v4Count, int v6Count) {
    return new AssignRequest(node, handle, v4Count, v6Count, null, null, null, List.of());
  }
}
