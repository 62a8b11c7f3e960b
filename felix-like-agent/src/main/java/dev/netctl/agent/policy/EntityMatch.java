package dev.netctl.agent.policy;

import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.selector.Selector;
import java.util.List;

/**
 * One end of a packet a rule matches: every non-empty part must hold. Selectors are already
 * namespaced (see {@link Labels}) and match an endpoint's effective labels.
 *
 * @param nets the address is in one of these (empty: any)
 * @param notNets the address is in none of these
 * @param selector the address belongs to an endpoint it matches (null: any address)
 * @param notSelector the address belongs to no endpoint it matches (null: no condition)
 * @param ports the port is in one of these ranges or named ports (both empty: any)
 * @param namedPorts named ports, resolved on the endpoint owning the address
 * @param notPorts the port is in none of these ranges
 * @param notNamedPorts nor any of these named ports
 */
public record EntityMatch(
    List<Cidr> nets,
    List<Cidr> notNets,
    Selector selector,
    Selector notSelector,
    List<PortRange> ports,
    List<String> namedPorts,
    List<PortRange> notPorts,
    List<String> notNamedPorts) {

  /** Matches every packet. */
  public static final EntityMatch ANY =
      new EntityMatch(List.of(), List.of(), null, null, List.of(), List.of(), List.of(), List.of());

  public EntityMatch {
    nets = List.copyOf(nets);
    notNets = List.copyOf(notNets);
    ports = List.copyOf(ports);
    namedPorts = List.copyOf(namedPorts);
    notPorts = List.copyOf(notPorts);
    notNamedPorts = List.copyOf(notNamedPorts);
  }

  /** True when a port condition is present. */
  public boolean hasPorts() {
    return !ports.isEmpty() || !namedPorts.isEmpty();
  }
}
