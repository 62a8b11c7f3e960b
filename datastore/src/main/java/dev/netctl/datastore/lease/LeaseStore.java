package dev.netctl.datastore.lease;

import java.util.Optional;

/**
 * Where leases live, with compare-and-swap writes. {@link DatastoreLeaseStore} keeps them in any
 * netctl datastore; a Kubernetes implementation maps them onto {@code coordination.k8s.io} Leases
 * (revision = resourceVersion), which is why leader election sees only this interface.
 */
public interface LeaseStore {

  /** A lease with the revision to compare against on the next write. */
  record Stored(Lease lease, long revision) {}

  /** The lease, or empty. */
  Optional<Stored> read(String name);

  /**
   * @throws dev.netctl.datastore.DatastoreException.AlreadyExists when another writer created it
   */
  Stored create(String name, Lease lease);

  /**
   * @throws dev.netctl.datastore.DatastoreException.Conflict when it changed since {@code revision}
   */
  Stored update(String name, Lease lease, long revision);
}
