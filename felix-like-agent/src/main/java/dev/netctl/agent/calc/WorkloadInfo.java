package dev.netctl.agent.calc;

import dev.netctl.datastore.model.Cidr;
import java.util.List;

/**
 * A workload endpoint on this node.
 *
 * @param key its datastore name ({@code namespace/name})
 * @param iface the host side of its veth
 * @param addresses its /32 and /128 addresses
 */
public record WorkloadInfo(String key, String iface, List<Cidr> addresses) {
  public WorkloadInfo {
    addresses = List.copyOf(addresses);
  }
}
