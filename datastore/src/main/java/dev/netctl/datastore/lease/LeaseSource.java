package dev.netctl.datastore.lease;

import dev.netctl.datastore.Datastore;
import java.time.Duration;

/**
 * A datastore that has leases of its own, which leader election should use instead of a {@link
 * DatastoreLeaseStore} entry: the Kubernetes backend, whose API server has {@code
 * coordination.k8s.io} Leases (what {@code kubectl get leases} shows and what every Kubernetes
 * controller elects on).
 */
public interface LeaseSource {

  /**
   * @param timeout how long one call may take (below the renew deadline)
   */
  LeaseStore leaseStore(Duration timeout);

  /** The store's own leases when it has them, else leases kept as datastore entries. */
  static LeaseStore forStore(Datastore store, Duration timeout) {
    if (store instanceof LeaseSource s) return s.leaseStore(timeout);
    return new DatastoreLeaseStore(store, timeout.toMillis());
  }
}
