package dev.netctl.datastore.lease;

import dev.netctl.datastore.Datastore;
import java.time.Duration;

/**
 * A {@link Datastore#capability}: leases of the store's own, which leader election should use
 * instead of a {@link DatastoreLeaseStore} entry: the Kubernetes backend, whose API server has
 * {@code coordination.k8s.io} Leases (what {@code kubectl get leases} shows and what every
 * Kubernetes controller elects on).
 */
public interface LeaseSource {

  /**
   * @param timeout how long one call may take (below the renew deadline)
   */
  LeaseStore leaseStore(Duration timeout);

  /** The store's own leases when it has them, else leases kept as datastore entries. */
  static LeaseStore forStore(Datastore store, Duration timeout) {
    return store
        .capability(LeaseSource.class)
        .map(s -> s.leaseStore(timeout))
        .orElseGet(() -> new DatastoreLeaseStore(store, timeout.toMillis()));
  }
}
