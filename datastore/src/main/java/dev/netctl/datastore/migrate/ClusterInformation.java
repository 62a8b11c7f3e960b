package dev.netctl.datastore.migrate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netctl.datastore.Blocking;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import java.io.IOException;
import java.util.Optional;

/**
 * The cluster-wide state Calico keeps in {@code ClusterInformation "default"}; netctl stores only
 * what migration needs: whether the datastore is ready for writers.
 *
 * <p>{@code datastoreReady: false} is the migration lock ({@code netctl datastore migrate lock}):
 * the resource client, the IPAM allocator and the controllers refuse to write while it is set
 * (through {@link WriteGate}). An absent object means ready: a fresh store is unlocked.
 *
 * <p>Stored raw under {@link #KEY}, not as a user-facing resource kind; it is not exported by a
 * migration (the target's own lock state is what counts there).
 *
 * @param datastoreReady false while the store is locked
 * @param reason who locked it and why, for the error writers print
 * @param since when it was locked, RFC 3339
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"datastoreReady", "reason", "since"})
public record ClusterInformation(boolean datastoreReady, String reason, String since) {

  /** Where the object lives. */
  public static final Key KEY = new Key("ClusterInformation", "default");

  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The ready state of a store that has no ClusterInformation. */
  public static final ClusterInformation READY = new ClusterInformation(true, null, null);

  /** The stored state, or {@link #READY} when there is none. */
  public static ClusterInformation read(Datastore store) {
    return Blocking.await(store.get(KEY), store.address())
        .map(ClusterInformation::decode)
        .orElse(READY);
  }

  /**
   * Stores {@code info}, whatever was there (a compare-and-swap loop: concurrent lockers agree on
   * the last one).
   *
   * @return the revision of the write
   */
  public static long write(Datastore store, ClusterInformation info) {
    for (int attempt = 0; ; attempt++) {
      Optional<Entry> current = Blocking.await(store.get(KEY), store.address());
      try {
        Entry e =
            current.isPresent()
                ? Blocking.await(
                    store.update(KEY, info.encode(), current.get().revision()), store.address())
                : Blocking.await(store.create(KEY, info.encode()), store.address());
        return e.revision();
      } catch (DatastoreException.Conflict
          | DatastoreException.AlreadyExists
          | DatastoreException.NotFound e) {
        if (attempt >= 8) throw e;
      }
    }
  }

  /** Reads a stored value; an unreadable one counts as locked (fail closed). */
  static ClusterInformation decode(Entry e) {
    try {
      return JSON.readValue(e.value(), ClusterInformation.class);
    } catch (IOException ex) {
      return new ClusterInformation(
          false, "unreadable ClusterInformation: " + ex.getMessage(), null);
    }
  }

  byte[] encode() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
