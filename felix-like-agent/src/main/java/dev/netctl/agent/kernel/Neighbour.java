package dev.netctl.agent.kernel;

import java.net.InetAddress;
import java.util.Locale;

/**
 * A VTEP of a peer node as programmed on our VXLAN device: a permanent neighbour entry (its tunnel
 * address → its VTEP MAC) and an FDB entry (that MAC → its underlay address).
 *
 * @param tunnelAddress the peer's tunnel address
 * @param mac the peer's VTEP MAC
 * @param underlay the peer node's underlay address, where encapsulated frames go
 */
public record Neighbour(InetAddress tunnelAddress, String mac, InetAddress underlay) {
  /** The key of its FDB entry: the MAC in lower case, as the kernel reports it. */
  public String fdbKey() {
    return mac == null ? null : mac.toLowerCase(Locale.ROOT);
  }
}
