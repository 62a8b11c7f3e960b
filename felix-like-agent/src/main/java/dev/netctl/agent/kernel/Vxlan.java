package dev.netctl.agent.kernel;

import dev.netctl.datastore.model.Cidr;
import java.net.InetAddress;

/**
 * The VXLAN device a node needs: Calico's recipe (no learning; peers are programmed as permanent
 * ARP and FDB entries).
 *
 * @param name device name
 * @param vni the VXLAN network identifier
 * @param port the UDP destination port
 * @param local the node's underlay address
 * @param parent the underlay device
 * @param mac the device's MAC, stable per node (peers program it in their neighbour tables)
 * @param mtu the device MTU: parent MTU minus the encapsulation overhead
 * @param address the node's tunnel address (/32 or /128), or null before IPAM gave one
 */
public record Vxlan(
    String name,
    int vni,
    int port,
    InetAddress local,
    String parent,
    String mac,
    int mtu,
    Cidr address) {}
