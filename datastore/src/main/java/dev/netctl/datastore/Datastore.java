package dev.netctl.datastore;

import java.util.List;
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

  /** The etcd default of {@code --max-txn-ops}, the most writes one commit may carry. */
  int DEFAULT_MAX_OPS_PER_COMMIT = 128;

  /**
   * Applies several conditional writes atomically: either every condition holds and every write
   * applies, or nothing applies and the future fails with the exception of a failing condition (the
   * first one in list order): {@link DatastoreException.AlreadyExists} for a {@link Write.Create}
   * of a present key, {@link DatastoreException.NotFound} for an update or delete of an absent key,
   * {@link DatastoreException.Conflict} carrying the current entry for a stale revision.
   *
   * <p>Revisions: the writes get revisions greater than any earlier write, non-decreasing in list
   * order. etcd and the memory store give all writes of one commit the same revision (etcd's
   * transaction revision); the embedded store gives them consecutive revisions. Callers must not
   * rely on either, only on each returned revision being the one to compare against next.
   *
   * <p>Watchers see every write of a commit, in list order, as separate events; no reader ever sees
   * some writes of a commit without the others (a list or get after the first event of a commit
   * sees all of them).
   *
   * <p>Retry safety: like the single-key writes, a retried commit whose first attempt landed fails
   * its conditions instead of applying twice.
   *
   * @param writes at most {@link #maxOpsPerCommit()} writes, each key at most once
   * @return the revision of each write, in list order (for a create or update, the new entry's
   *     revision; for a delete, the deletion's)
   * @throws IllegalArgumentException (thrown, not in the future: a caller bug) for an empty commit,
   *     one larger than {@link #maxOpsPerCommit()}, or one that writes a key twice
   */
  CompletableFuture<List<Long>> commit(List<Write> writes);

  /**
   * The most writes one {@link #commit} may carry: 128 (etcd's default {@code --max-txn-ops}) on
   * every backend here, so code that runs on one runs on all. A backend without atomic multi-key
   * writes (the Kubernetes one: the API server has no multi-object transaction) returns 1, and
   * callers that chunk their commits by this limit degrade to one write per call, keeping correct
   * but losing the atomicity between the pieces.
   */
  int maxOpsPerCommit();

  /**
   * What this backend offers beyond the contract, asked by type: its own leases ({@code
   * LeaseSource}), conditions on its objects ({@code StatusRecorder.Source}), kinds it derives from
   * objects of its own ({@link DerivedKinds}), the cluster's nodes ({@link ClusterNodes}). Empty by
   * default. Asked through this method rather than by testing the store's class, so that a wrapper
   * ({@link ForwardingDatastore}, such as the migration lock's write gate) passes the question on
   * and the capability survives the wrapping.
   */
  default <T> java.util.Optional<T> capability(Class<T> type) {
    return java.util.Optional.empty();
  }

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
