package dev.netctl.datastore.lease;

import java.time.Duration;
import java.time.Instant;

/**
 * A leader lease, with the field names of Kubernetes' {@code coordination.k8s.io/v1} Lease spec so
 * a Kubernetes {@link LeaseStore} can map it one to one.
 *
 * @param holderIdentity who holds it; empty when released
 * @param leaseDurationSeconds how long after {@code renewTime} the lease is considered expired
 * @param acquireTime when the current holder took it
 * @param renewTime the holder's last renewal
 * @param leaseTransitions how many times the holder changed
 */
public record Lease(
    String holderIdentity,
    long leaseDurationSeconds,
    Instant acquireTime,
    Instant renewTime,
    int leaseTransitions) {

  /** Whether nobody may be considered holding it at {@code now}. */
  public boolean expiredAt(Instant now) {
    return holderIdentity == null
        || holderIdentity.isEmpty()
        || !now.isBefore(renewTime.plus(duration()));
  }

  public Duration duration() {
    return Duration.ofSeconds(leaseDurationSeconds);
  }
}
