package dev.netctl.agent.calc;

import dev.netctl.agent.kernel.Neighbour;
import dev.netctl.agent.kernel.Route;
import dev.netctl.datastore.model.Cidr;
import java.util.List;
import java.util.Map;

/**
 * What this node's dataplane and BGP speaker should hold, computed from a {@link ClusterState}.
 *
 * @param routes every route we own, by destination
 * @param vxlanV4 whether the IPv4 VXLAN device is needed
 * @param vxlanV6 whether the IPv6 VXLAN device is needed
 * @param vtepsV4 the peer VTEPs to program on the IPv4 VXLAN device
 * @param vtepsV6 the peer VTEPs on the IPv6 device
 * @param ipipWanted whether some pool asks for IP-in-IP routes from this node
 * @param natSources pools whose traffic to the outside is masqueraded
 * @param allPools every pool (destinations that are never masqueraded)
 * @param originate the prefixes to advertise over BGP: own blocks and borrowed addresses
 * @param encapsulation per pool name, how this node reaches other nodes' blocks in it (for status)
 */
public record DesiredState(
    Map<Cidr, Route> routes,
    boolean vxlanV4,
    boolean vxlanV6,
    List<Neighbour> vtepsV4,
    List<Neighbour> vtepsV6,
    boolean ipipWanted,
    List<Cidr> natSources,
    List<Cidr> allPools,
    List<Cidr> originate,
    Map<String, String> encapsulation) {

  public DesiredState {
    routes = Map.copyOf(routes);
    vtepsV4 = List.copyOf(vtepsV4);
    vtepsV6 = List.copyOf(vtepsV6);
    natSources = List.copyOf(natSources);
    allPools = List.copyOf(allPools);
    originate = List.copyOf(originate);
    encapsulation = Map.copyOf(encapsulation);
  }
}
