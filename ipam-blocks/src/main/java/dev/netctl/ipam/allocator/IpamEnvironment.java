package dev.netctl.ipam.allocator;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the allocator reads from the rest of the cluster, each call returning the current view: the
 * pools, the nodes' labels and the IPAM settings. Backed by the datastore's resource client in
 * production and by plain values in tests.
 */
public interface IpamEnvironment {

  /** Every configured pool, enabled or not. */
  List<PoolSpec> pools();

  /** The labels of {@code node}, or empty when no such node exists. */
  Optional<Map<String, String>> nodeLabels(String node);

  /** The cluster's IPAM settings. */
  IpamSettings settings();
}
