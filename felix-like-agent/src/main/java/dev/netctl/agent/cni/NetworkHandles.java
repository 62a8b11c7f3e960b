package dev.netctl.agent.cni;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the IPAM handles the plugin names ({@link CniRequest#handle}) back for CNI GC: which
 * network's and which container's a handle is.
 *
 * <p>{@code <network>:<ifname>:<containerID>} is unambiguous (':' is in none of the names).
 * Calico's {@code <network>.<containerID>} is not: both names may hold dots (SPEC.md), so {@code
 * a.b.c} is network {@code a}'s container {@code b.c} or network {@code a.b}'s container {@code c},
 * and a prefix test on {@code a.} alone let GC of network {@code a} release {@code a.b}'s live pod.
 * A handle is therefore judged only when no other reading of it names a container that is alive.
 */
final class NetworkHandles {
  private final String network;
  private final Set<String> liveContainers;

  /**
   * @param network the network GC runs for
   * @param liveContainers containers known to exist: this GC's listed attachments, and those with a
   *     WorkloadEndpoint on this node (whatever network they are attached to)
   */
  NetworkHandles(String network, Set<String> liveContainers) {
    this.network = network;
    this.liveContainers = liveContainers;
  }

  /**
   * The container {@code handle} is of when it is certainly this network's, else null: another
   * network's handle, or one that may be another network's live container.
   */
  String containerOf(String handle) {
    int colon = handle.indexOf(':');
    if (colon >= 0) {
      int last = handle.lastIndexOf(':');
      boolean ours = last > colon && handle.substring(0, colon).equals(network);
      return ours && last + 1 < handle.length() ? handle.substring(last + 1) : null;
    }
    if (!handle.startsWith(network + ".") || handle.length() == network.length() + 1) return null;
    for (String other : otherContainers(handle)) {
      if (liveContainers.contains(other)) return null;
    }
    return handle.substring(network.length() + 1);
  }

  /** The containers {@code <network>.<containerID>} names when split at another dot than ours. */
  private List<String> otherContainers(String handle) {
    List<String> out = new ArrayList<>();
    for (int dot = handle.indexOf('.'); dot >= 0; dot = handle.indexOf('.', dot + 1)) {
      if (dot != network.length() && dot > 0 && dot + 1 < handle.length()) {
        out.add(handle.substring(dot + 1));
      }
    }
    return out;
  }
}
