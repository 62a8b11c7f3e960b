package dev.netctl.datastore.migrate;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.ForwardingDatastore;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Listing;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.WatchEvent;
import dev.netctl.datastore.Write;
import dev.netctl.datastore.lease.DatastoreLeaseStore;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A store that refuses writes while it is locked for migration ({@link ClusterInformation} with
 * {@code datastoreReady: false}): wrapped once around a store where it is opened ({@link
 * dev.netctl.datastore.Datastores#open}), so every writer on it (resource clients, IPAM, the
 * controllers, the agent) is gated in this one place, with one watch of the lock per store.
 *
 * <p>A refused write fails its future with {@link DatastoreException.Locked}, naming the lock and
 * the write, before it reaches the store: a refused commit writes none of its writes. Writes of the
 * lock itself, of leader leases and of the pool guards pass: they are the state of running
 * processes, not migrated data. The migration's own commands open the store without a gate: an
 * import writes while the target is locked.
 *
 * <p>Cheap on the write path: the first write reads the ClusterInformation once (without blocking)
 * and starts a watch on it; every later write reads a volatile field. A one-shot CLI command pays
 * one read; a long-running writer (agent, controller) sees a lock as soon as its watch delivers it,
 * which on the embedded store is one poll interval. That delay is why {@code migrate export} also
 * checks that nothing it exports was written after the lock (see {@link Migration#export}).
 *
 * <p>While the lock cannot be read (an outage) writes pass (fail open): the writes themselves meet
 * the outage and their writers' retries. Writes that arrive while a read is under way wait for that
 * one read, and a failed read stands for {@link #FAILED_READ_KEPT}, so writes during an outage do
 * not each wait up to {@link #READ_TIMEOUT} for a read of their own.
 */
public final class WriteGate extends ForwardingDatastore {
  static final java.time.Duration READ_TIMEOUT = java.time.Duration.ofSeconds(2);
  static final java.time.Duration FAILED_READ_KEPT = java.time.Duration.ofSeconds(1);

  /**
   * Kinds written while locked: the state of running processes, never migrated (the lock itself,
   * leader leases, the IP pool guard and creation lock, whose holders then meet the gate on the
   * pool's own write and name it).
   */
  private static final Set<String> UNGATED =
      Set.of(ClusterInformation.KEY.kind(), DatastoreLeaseStore.KIND, "IPPoolGuard");

  private volatile ClusterInformation state; // null until the first check, or after a resync
  private final LongSupplier nanos;
  private Watch watch;
  // Guarded by this: set by close(), after which no watch is started.
  private boolean closed;
  // Guarded by this: the read of the lock under way, which later writes wait for too.
  private CompletableFuture<ClusterInformation> reading;
  // Guarded by this: whether the last read failed, and when (by nanos).
  private boolean failed;
  private long failedAt;

  public WriteGate(Datastore inner) {
    this(inner, System::nanoTime);
  }

  /** With {@code nanos} for {@link System#nanoTime()}: for tests of how long a failure stands. */
  WriteGate(Datastore inner, LongSupplier nanos) {
    super(inner);
    this.nanos = nanos;
  }

  /** Whether {@code store} takes writes now: false only behind a gate that sees the lock. */
  public static boolean ready(Datastore store) {
    return store.capability(WriteGate.class).map(g -> g.ready()).orElse(true);
  }

  /**
   * Whether writes are allowed now (reads the lock on the first call, at most {@link
   * #READ_TIMEOUT}).
   */
  public boolean ready() {
    return known().join().datastoreReady();
  }

  @Override
  public CompletableFuture<Entry> create(Key key, byte[] value) {
    return gated(List.of(key), "create ", () -> inner.create(key, value));
  }

  @Override
  public CompletableFuture<Entry> update(Key key, byte[] value, long expectedRevision) {
    return gated(List.of(key), "update ", () -> inner.update(key, value, expectedRevision));
  }

  @Override
  public CompletableFuture<Long> delete(Key key, long expectedRevision) {
    return gated(List.of(key), "delete ", () -> inner.delete(key, expectedRevision));
  }

  @Override
  public CompletableFuture<List<Long>> commit(List<Write> writes) {
    return gated(writes.stream().map(Write::key).toList(), "write ", () -> inner.commit(writes));
  }

  @Override
  public <T> Optional<T> capability(Class<T> type) {
    return type.isInstance(this) ? Optional.of(type.cast(this)) : inner.capability(type);
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (watch != null) watch.close();
      watch = null;
    }
    inner.close();
  }

  /** {@code write}, or a future failed with Locked naming the lock and {@code keys}. */
  private <T> CompletableFuture<T> gated(
      List<Key> keys, String verb, Supplier<CompletableFuture<T>> write) {
    if (keys.stream().allMatch(k -> UNGATED.contains(k.kind()))) return write.get();
    // Known (every write after the first): decided on the caller's thread, no I/O. Else the lock
    // is read without blocking, since a write may be issued from a backend's own thread.
    return known()
        .thenCompose(
            now -> {
              if (now.datastoreReady()) return write.get();
              // The pool guard rides along with a pool's own write: name what the caller wrote.
              List<Key> shown = keys.stream().filter(k -> !UNGATED.contains(k.kind())).toList();
              Key first = shown.getFirst();
              String what =
                  verb
                      + first.kind()
                      + " \""
                      + first.name()
                      + "\""
                      + (shown.size() == 1 ? "" : " and " + (shown.size() - 1) + " more");
              return CompletableFuture.failedFuture(new DatastoreException.Locked(address(), what));
            });
  }

  private CompletableFuture<ClusterInformation> known() {
    ClusterInformation s = state;
    if (s != null) return CompletableFuture.completedFuture(s);
    CompletableFuture<ClusterInformation> read;
    synchronized (this) {
      if (reading != null) return reading;
      // Fail open while the lock cannot be read (an outage, or a backend that cannot store the
      // ClusterInformation kind): the write itself meets an outage and the writers' own retries.
      // Read again only once the failure is old: a hanging read would cost every write its wait.
      if (failed && nanos.getAsLong() - failedAt < FAILED_READ_KEPT.toNanos()) {
        return CompletableFuture.completedFuture(ClusterInformation.READY);
      }
      read = reading = new CompletableFuture<>();
    }
    // A listing (not a get) because it carries the revision to start the watch from. Issued
    // outside the lock: the backend may answer on this thread. A backend that throws instead of
    // failing the future fails the read the same way, or `reading` would hold every later write.
    CompletableFuture<Listing> listing;
    try {
      listing = inner.list(ClusterInformation.KEY.kind(), ClusterInformation.KEY.name());
    } catch (RuntimeException e) {
      listing = CompletableFuture.failedFuture(e);
    }
    listing
        .orTimeout(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(this::started)
        .whenComplete(
            (now, e) -> {
              synchronized (this) {
                reading = null;
                failed = e != null;
                failedAt = nanos.getAsLong();
              }
              // Outside the lock: the waiting writes go on from here.
              read.complete(e == null ? now : ClusterInformation.READY);
            });
    return read;
  }

  private synchronized ClusterInformation started(Listing l) {
    if (state != null) return state; // another first write's read got here first
    ClusterInformation now = ClusterInformation.READY;
    for (var e : l.entries()) {
      if (e.key().equals(ClusterInformation.KEY)) now = ClusterInformation.decode(e);
    }
    if (watch != null) watch.close();
    state = now;
    // A read that completes after close() starts no watch: nothing would ever close it.
    if (closed) return now;
    try {
      watch = inner.watch(ClusterInformation.KEY.kind(), l.revision(), this::onEvent);
    } catch (RuntimeException e) {
      // What was read still answers the writes waiting for it (a lock read as taken refuses
      // them); without a watch it would go stale, so the next write reads again.
      watch = null;
      state = null;
    }
    return now;
  }

  private void onEvent(WatchEvent ev) {
    switch (ev) {
      case WatchEvent.Put p -> {
        if (p.entry().key().equals(ClusterInformation.KEY)) {
          state = ClusterInformation.decode(p.entry());
        }
      }
      case WatchEvent.Deleted d -> {
        if (d.key().equals(ClusterInformation.KEY)) state = ClusterInformation.READY;
      }
      // History gone: read again on the next check (that restarts the watch).
      case WatchEvent.ResyncNeeded r -> state = null;
    }
  }
}
