package dev.netctl.agent.kernel;

import dev.netctl.datastore.model.Cidr;
import java.util.List;

/**
 * A network interface as the kernel reports it.
 *
 * @param name the interface name
 * @param index the ifindex
 * @param mtu the MTU
 * @param mac the link-layer address, lower case, or null
 * @param up whether it is administratively up
 * @param kind the link kind ({@code veth}, {@code vxlan}, {@code bridge}...), or null for a plain
 *     one
 * @param addresses its addresses with their prefix lengths, global scope first as reported
 */
public record Link(
    String name, int index, int mtu, String mac, boolean up, String kind, List<Cidr> addresses) {
  public Link {
    addresses = addresses == null ? List.of() : List.copyOf(addresses);
  }
}
