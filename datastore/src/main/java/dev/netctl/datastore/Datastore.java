package dev.netctl.datastore;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The one contract every backend implements: a revisioned key-value store of objects grouped by
 * kind, with compare-and-swap writes and ordered watches.
 *
 * <p>Semantics every backend honours (checked by the shared conformance suite):
 *
 * <ul>
 *   <li>Every successful write gets a store-wide revision strictly greater than any earlier one.
 *   <li>{@link #update} and {@link #delete} succeed only when the stored revision equals the
 *       expected one; otherwise they fail with {@link DatastoreException.Conflict}.
 *   <li>A completed write is durable: it survives a crash of the client or the backend process.
 *   <li>{@link #list} is a consistent snapshot and reports its revision; {@link #watch} from that
 *       revision delivers every later change of that kind exactly once, in revision order.
 *   <li>Failures arrive as {@link DatastoreException}s in the returned future, never thrown.
 * </ul>
 *
 * <p>Retry safety: reads are always safe to retry. {@link #create}, {@link #update} and {@link
 * #delete} are safe to retry because they are conditional: a retried write whose first attempt did
 * land fails with AlreadyExists or Conflict instead of applying twice.
 */
public interface Datastore extends AutoCloseable {

  /** The object stored under {@code key}, or empty. */
  CompletableFuture<Optional<Entry>> get(Key key);

  /** Every object of {@code kind} whose name starts with {@code namePrefix} ("" for all). */
  CompletableFuture<Listing> list(String kind, String namePrefix);

  /** Stores a new object; fails with AlreadyExists when the key is present. */
  CompletableFuture<Entry> create(Key key, byte[] value);

  /**
   * Replaces the object if its stored revision is {@code expectedRevision}; fails with Conflict
   * otherwise, NotFound if absent.
   */
  CompletableFuture<Entry> update(Key key, byte[] value, long expectedRevision);

  /**
   * Deletes the object if its stored revision is {@code expectedRevision}; fails with Conflict
   * otherwise, NotFound if absent. Completes with the revision of the deletion.
   */
  CompletableFuture<Long> delete(Key key, long expectedRevision);

  /**
   * Delivers, in revision order and on one thread at a time, every change to objects of {@code
   * kind} made after {@code afterRevision}. When that history is no longer available the watch
   * delivers one {@link WatchEvent.ResyncNeeded} and stops. Connection loss is hidden: the backend
   * resumes from the last delivered revision.
   *
   * <p>The listener runs on a thread of its own watch, never on a backend I/O thread, so it may
   * call this datastore (even block on it); a slow listener delays only its own watch. Closing the
   * store ends its watches.
   */
  Watch watch(String kind, long afterRevision, Consumer<WatchEvent> listener);

  /** Where this store lives, for error messages: a file path or endpoint list. */
  String address();

  /**
   * Releases connections and threads and ends every watch. Pending futures fail with Unavailable;
   * operations after close fail with Unavailable.
   */
  @Override
  void close();

  /** Convenience: list all objects of a kind. */
  default CompletableFuture<Listing> list(String kind) {
    return list(kind, "");
  }
}
