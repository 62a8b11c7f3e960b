package dev.netctl.ipam.gc;

import java.util.List;

/**
 * Who an IPAM handle belongs to, read from its name, which is how Calico's CNI plugin and node
 * agent name them: {@code k8s-pod-network.<containerID>} for a pod, {@code
 * <kind>-tunnel-addr-<node>} for a node's tunnel address. Handles named any other way (made by hand
 * with {@code netctl ipam assign --handle}) have no owner the controller can check, and it never
 * releases them.
 */
sealed interface HandleOwner {
  /** The CNI plugin's prefix; the container ID follows. */
  String POD_PREFIX = "k8s-pod-network.";

  /** Tunnel-address handle prefixes; the node name follows. */
  List<String> TUNNEL_PREFIXES =
      List.of(
          "ipip-tunnel-addr-",
          "vxlan-tunnel-addr-",
          "vxlan-v6-tunnel-addr-",
          "wireguard-tunnel-addr-",
          "wireguard-v6-tunnel-addr-");

  record Pod(String containerId) implements HandleOwner {}

  record Tunnel(String node) implements HandleOwner {}

  record Unknown() implements HandleOwner {}

  static HandleOwner of(String handleId) {
    if (handleId.startsWith(POD_PREFIX) && handleId.length() > POD_PREFIX.length()) {
      return new Pod(handleId.substring(POD_PREFIX.length()));
    }
    for (String p : TUNNEL_PREFIXES) {
      if (handleId.startsWith(p) && handleId.length() > p.length()) {
        return new Tunnel(handleId.substring(p.length()));
      }
    }
    return new Unknown();
  }
}
