package dev.netctl.kube;

import dev.netctl.datastore.Blocking;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.lease.Lease;
import dev.netctl.datastore.lease.LeaseStore;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Leader leases as {@code coordination.k8s.io/v1} Leases in one namespace, as kube-controllers and
 * every client-go controller keep them: {@code holderIdentity}, {@code leaseDurationSeconds},
 * {@code acquireTime}, {@code renewTime}, {@code leaseTransitions}; the revision is the Lease's
 * {@code resourceVersion}, and every update carries it, so the API server answers a stale write
 * with 409 (a lost compare-and-swap).
 *
 * <p>Three calls only, which RBAC grants in the controller's namespace ({@link
 * ApiAccess#leaderElection()}): GET, POST (create) and PUT (update) of one Lease.
 */
public final class KubeLeaseStore implements LeaseStore {
  private final KubernetesClient client;
  private final String namespace;
  private final String address;
  private final Duration timeout;
  private final Executor executor;

  /**
   * @param namespace where the Lease lives (the controller's own)
   * @param timeout how long one call may take
   */
  public KubeLeaseStore(
      KubernetesClient client, String namespace, String address, Duration timeout) {
    this.client = client;
    this.namespace = namespace;
    this.address = address;
    this.timeout = timeout;
    java.util.concurrent.ThreadFactory threads =
        Thread.ofVirtual().name("netctl-lease-", 0).factory();
    this.executor = r -> threads.newThread(r).start();
  }

  /** The namespace the Lease lives in. */
  public String namespace() {
    return namespace;
  }

  @Override
  public Optional<Stored> read(String name) {
    return call(
        name,
        false,
        () ->
            Optional.ofNullable(client.leases().inNamespace(namespace).withName(name).get())
                .map(this::decode));
  }

  @Override
  public Stored create(String name, Lease lease) {
    return call(
        name,
        true,
        () ->
            decode(
                client.leases().inNamespace(namespace).resource(encode(name, lease, 0)).create()));
  }

  @Override
  public Stored update(String name, Lease lease, long revision) {
    return call(
        name,
        false,
        () ->
            decode(
                client
                    .leases()
                    .inNamespace(namespace)
                    .resource(encode(name, lease, revision))
                    .update()));
  }

  /**
   * Runs one blocking fabric8 call, bounded by the timeout. 409 is AlreadyExists for a create and a
   * lost compare-and-swap otherwise.
   */
  private <T> T call(String name, boolean creating, Supplier<T> op) {
    Key key = new Key("Lease", namespace + "/" + name);
    CompletableFuture<T> f =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return op.get();
              } catch (KubernetesClientException e) {
                throw switch (e.getCode()) {
                  case 404 -> new DatastoreException.NotFound(key);
                  case 409 ->
                      creating
                          ? new DatastoreException.AlreadyExists(key)
                          : new DatastoreException.Conflict(key, -1, null);
                  default ->
                      new DatastoreException.Unavailable(
                          address,
                          "lease "
                              + namespace
                              + "/"
                              + name
                              + ": HTTP "
                              + e.getCode()
                              + " "
                              + e.getMessage(),
                          e);
                };
              }
            },
            executor);
    return Blocking.await(f, address, timeout);
  }

  static io.fabric8.kubernetes.api.model.coordination.v1.Lease encode(
      String name, Lease l, long revision) {
    return new LeaseBuilder()
        .withNewMetadata()
        .withName(name)
        .withResourceVersion(revision > 0 ? Long.toString(revision) : null)
        .endMetadata()
        .withNewSpec()
        .withHolderIdentity(l.holderIdentity())
        .withLeaseDurationSeconds(Math.toIntExact(l.leaseDurationSeconds()))
        .withAcquireTime(time(l.acquireTime()))
        .withRenewTime(time(l.renewTime()))
        .withLeaseTransitions(l.leaseTransitions())
        .endSpec()
        .build();
  }

  private Stored decode(io.fabric8.kubernetes.api.model.coordination.v1.Lease k) {
    LeaseSpec s = k.getSpec() == null ? new LeaseSpec() : k.getSpec();
    Instant acquire = s.getAcquireTime() == null ? Instant.EPOCH : s.getAcquireTime().toInstant();
    Instant renew = s.getRenewTime() == null ? acquire : s.getRenewTime().toInstant();
    Lease lease =
        new Lease(
            s.getHolderIdentity() == null ? "" : s.getHolderIdentity(),
            s.getLeaseDurationSeconds() == null ? 0 : s.getLeaseDurationSeconds(),
            acquire,
            renew,
            s.getLeaseTransitions() == null ? 0 : s.getLeaseTransitions());
    return new Stored(lease, ObjectMapping.revision(k.getMetadata().getResourceVersion(), address));
  }

  /** MicroTime: the API server keeps microseconds. */
  private static ZonedDateTime time(Instant t) {
    return t.truncatedTo(ChronoUnit.MICROS).atZone(ZoneOffset.UTC);
  }
}
