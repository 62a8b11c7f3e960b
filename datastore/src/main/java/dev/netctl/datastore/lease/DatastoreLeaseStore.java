package dev.netctl.datastore.lease;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netctl.datastore.Blocking;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Leases as JSON under {@code Key("Lease", name)} in any {@link Datastore}, written by CAS. Not a
 * migrated kind: a lease is the state of running processes, not cluster data.
 */
public final class DatastoreLeaseStore implements LeaseStore {
  /** The datastore kind leases are stored under. */
  public static final String KIND = "Lease";

  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The stored shape: times as RFC 3339 text with microseconds, as Kubernetes' MicroTime. */
  @JsonPropertyOrder({
    "holderIdentity",
    "leaseDurationSeconds",
    "acquireTime",
    "renewTime",
    "leaseTransitions"
  })
  record Json(
      String holderIdentity,
      long leaseDurationSeconds,
      String acquireTime,
      String renewTime,
      int leaseTransitions) {}

  private final Datastore store;
  private final Duration timeout;

  /**
   * @param timeoutMillis how long one call may take; keep it below the renew deadline so a hung
   *     call cannot keep a stale leader acting
   */
  public DatastoreLeaseStore(Datastore store, long timeoutMillis) {
    this.store = store;
    this.timeout = Duration.ofMillis(timeoutMillis);
  }

  @Override
  public Optional<Stored> read(String name) {
    return await(store.get(key(name))).map(DatastoreLeaseStore::decode);
  }

  @Override
  public Stored create(String name, Lease lease) {
    return decode(await(store.create(key(name), encode(lease))));
  }

  @Override
  public Stored update(String name, Lease lease, long revision) {
    return decode(await(store.update(key(name), encode(lease), revision)));
  }

  private static Key key(String name) {
    return new Key(KIND, name);
  }

  private static Stored decode(Entry e) {
    try {
      Json j = JSON.readValue(e.value(), Json.class);
      Lease l =
          new Lease(
              j.holderIdentity(),
              j.leaseDurationSeconds(),
              Instant.parse(j.acquireTime()),
              Instant.parse(j.renewTime()),
              j.leaseTransitions());
      return new Stored(l, e.revision());
    } catch (IOException ex) {
      throw new IllegalStateException(
          e.key() + " holds an unreadable lease: " + ex.getMessage(), ex);
    } catch (RuntimeException ex) {
      throw new IllegalStateException(
          e.key() + " holds an unreadable lease: " + ex.getMessage(), ex);
    }
  }

  private static byte[] encode(Lease l) {
    try {
      return JSON.writeValueAsBytes(
          new Json(
              l.holderIdentity(),
              l.leaseDurationSeconds(),
              l.acquireTime().toString(),
              l.renewTime().toString(),
              l.leaseTransitions()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private <T> T await(CompletableFuture<T> f) {
    return Blocking.await(f, store.address(), timeout);
  }
}
