package dev.netctl.datastore.migrate;

import dev.netctl.datastore.Blocking;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Listing;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.WatchEvent;

/**
 * Refuses writes while the datastore is locked for migration ({@link ClusterInformation} with
 * {@code datastoreReady: false}).
 *
 * <p>Cheap on the write path: the first check reads the ClusterInformation once and starts a watch
 * on it; every later check reads a volatile field. A one-shot CLI command pays one read; a
 * long-running writer (agent, controller) sees a lock as soon as its watch delivers it, which on
 * the embedded store is one poll interval. That delay is why {@code migrate export} also checks
 * that nothing it exports was written after the lock (see {@link Migration#export}).
 */
public final class WriteGate implements AutoCloseable {
  private static final java.time.Duration FIRST_READ_TIMEOUT = java.time.Duration.ofSeconds(2);
  private final Datastore store;
  private volatile ClusterInformation state; // null until the first check, or after a resync
  private Watch watch;

  public WriteGate(Datastore store) {
    this.store = store;
  }

  /**
   * Throws {@link DatastoreException.Locked} when the store is locked.
   *
   * @param what the refused operation, for the message ({@code create IPPool "p"})
   */
  public void check(String what) {
    if (!current().datastoreReady()) throw new DatastoreException.Locked(store.address(), what);
  }

  /** Whether writes are allowed now. */
  public boolean ready() {
    return current().datastoreReady();
  }

  private ClusterInformation current() {
    ClusterInformation s = state;
    if (s != null) return s;
    synchronized (this) {
      if (state != null) return state;
      try {
        start();
      } catch (RuntimeException e) {
        // Fail open while the lock cannot be read (an outage, or a backend that cannot store the
        // ClusterInformation kind): the write itself meets an outage and the writers' own
        // retries, and the next check reads again.
        return ClusterInformation.READY;
      }
      return state;
    }
  }

  private void start() {
    // A listing (not a get) because it carries the revision to start the watch from.
    Listing l =
        Blocking.await(
            store.list(ClusterInformation.KEY.kind(), ClusterInformation.KEY.name()),
            store.address(),
            FIRST_READ_TIMEOUT);
    ClusterInformation now = ClusterInformation.READY;
    for (var e : l.entries()) {
      if (e.key().equals(ClusterInformation.KEY)) now = ClusterInformation.decode(e);
    }
    if (watch != null) watch.close();
    state = now;
    watch = store.watch(ClusterInformation.KEY.kind(), l.revision(), this::onEvent);
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

  @Override
  public synchronized void close() {
    if (watch != null) watch.close();
    watch = null;
  }
}
