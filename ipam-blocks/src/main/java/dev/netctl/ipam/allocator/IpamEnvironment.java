package dev.netctl.ipam.allocator;

import dev.netctl.ipam.block.Reservations;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the allocator reads from the rest of the cluster, each call returning the current view: the
 * pools, the nodes' labels, the IPAM settings and the IP reservations. Backed by the datastore's
 * resource client in production and by plain values in tests.
 */
public interface IpamEnvironment {

  /** Every configured pool, enabled or not. */
  List<PoolSpec> pools();

  /** The labels of {@code node}, or empty when no such node exists. */
  Optional<Map<String, String>> nodeLabels(String node);

  /** The cluster's IPAM settings. */
  IpamSettings settings();

  /**
   * The addresses IPReservations keep from automatic assignment. Read once per allocator batch, so
   * an implementation should hand back the same object while nothing changed: the allocator keeps
   * per-block answers for it.
   */
  default Reservations reservations() {
    return Reservations.NONE;
  }
}
