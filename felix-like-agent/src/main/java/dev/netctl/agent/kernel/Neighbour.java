package dev.netctl.agent.kernel;

import java.net.InetAddress;

/**
 * A VTEP of a peer node as programmed on our VXLAN device: a permanent neighbour entry (its tunnel
 * address → its VTEP MAC) and an FDB entry (that MAC → its underlay address).
 *
 * @param tunnelAddress the peer's tunnel address
 * @param mac the peer's VTEP MAC
 * @param underlay the peer node's underlay address, where encapsulated frames go
 */
public record Neighbour(InetAddress tunnelAddress, String mac, InetAddress underlay) {}
