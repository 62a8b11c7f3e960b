package dev.netctl.agent.policy;

import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.model.WorkloadEndpoint;
import dev.netctl.datastore.model.WorkloadEndpointSpec;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A workload (pod interface) as policy sees it.
 *
 * @param namespace the pod's namespace
 * @param name the pod's name, what {@code explain} and {@code matrix} print
 * @param labels the pod's own labels
 * @param addresses its addresses
 * @param interfaceName the host side of its veth ({@code cali...}); null when not known
 * @param node the node it lives on; null when not known
 * @param ports its named container ports
 */
public record Endpoint(
    String namespace,
    String name,
    Map<String, String> labels,
    List<InetAddress> addresses,
    String interfaceName,
    String node,
    List<NamedPort> ports) {

  public Endpoint {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    labels = Map.copyOf(labels);
    addresses = List.copyOf(addresses);
    ports = List.copyOf(ports);
  }

  /** {@code namespace/name}. */
  public String id() {
    return namespace + "/" + name;
  }

  /** The first IPv4 address, or null. */
  public InetAddress ipv4() {
    return address(IpFamily.V4);
  }

  /** The first address of {@code family}, or null. */
  public InetAddress address(IpFamily family) {
    for (InetAddress a : addresses) if (IpFamily.of(a) == family) return a;
    return null;
  }

  /**
   * The endpoint of a WorkloadEndpoint: its pod name (or object name), labels, addresses, veth and
   * named ports.
   */
  public static Endpoint of(WorkloadEndpoint w) {
    WorkloadEndpointSpec s = w.spec();
    List<InetAddress> addrs = new ArrayList<>();
    for (String n : s.ipNetworks()) addrs.add(Cidr.parseAddressOrCidr(n).address());
    List<NamedPort> ports = new ArrayList<>();
    for (WorkloadEndpointSpec.EndpointPort p : s.ports()) {
      ports.add(
          new NamedPort(
              p.name(), Protocols.parse(p.protocol() == null ? "TCP" : p.protocol()), p.port()));
    }
    String ns = w.metadata().namespace();
    Map<String, String> labels = w.metadata().labels();
    if (s.serviceAccountName() != null && !s.serviceAccountName().isEmpty()) {
      // the spec names the pod's service account; the CNI side and the Kubernetes backend also
      // put it in the label serviceAccounts rules match, a hand-written endpoint may not have
      labels = new HashMap<>(labels);
      labels.put(Labels.SERVICE_ACCOUNT, s.serviceAccountName());
    }
    return new Endpoint(
        ns == null ? "default" : ns,
        s.pod() != null ? s.pod() : w.name(),
        labels,
        addrs,
        s.interfaceName(),
        s.node(),
        ports);
  }
}
