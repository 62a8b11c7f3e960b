package dev.netctl.ipam.store;

import dev.netctl.datastore.DatastoreException;
import dev.netctl.ipam.IpamException;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps handle records' per-block counts in step with the blocks, with a CAS loop per handle. A
 * handle whose count drops to zero is deleted.
 */
public final class HandleCounts {
  private static final int MAX_ATTEMPTS = 64;

  private final IpamStore store;

  public HandleCounts(IpamStore store) {
    this.store = store;
  }

  /** Adds {@code deltas} (block CIDR to change in count) to the handle, creating it if needed. */
  public void adjust(String handleId, Map<String, Integer> deltas) {
    if (deltas.values().stream().allMatch(d -> d == 0)) return;
    if (deltas.values().stream().allMatch(d -> d >= 0)) {
      // New handles are the common case (one per pod): try to create without reading first.
      IpamHandle fresh = new IpamHandle(handleId, Map.of());
      for (Map.Entry<String, Integer> d : deltas.entrySet()) {
        fresh = fresh.plus(d.getKey(), d.getValue());
      }
      try {
        store.createHandle(fresh);
        return;
      } catch (DatastoreException.AlreadyExists e) {
        // Exists: fall through to read-modify-write.
      } catch (DatastoreException.Unavailable e) {
        // May have landed: the loop below re-reads; a double count is repairable by check().
      }
    }
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Optional<Versioned<IpamHandle>> current =
          Backoff.retryUnavailable(() -> store.handle(handleId));
      IpamHandle h = current.map(Versioned::value).orElse(new IpamHandle(handleId, Map.of()));
      for (Map.Entry<String, Integer> d : deltas.entrySet()) h = h.plus(d.getKey(), d.getValue());
      try {
        if (current.isEmpty()) {
          if (h.total() > 0) store.createHandle(h);
        } else if (h.total() == 0) {
          store.deleteHandle(handleId, current.get().revision());
        } else {
          store.updateHandle(h, current.get().revision());
        }
        return;
      } catch (DatastoreException.Conflict
          | DatastoreException.NotFound
          | DatastoreException.AlreadyExists e) {
        // Concurrent change to the same handle: re-read and re-apply.
      } catch (DatastoreException.Unavailable e) {
        // May have landed; a double count shows up in check() as a mismatch and is repairable.
        Backoff.pause(attempt);
      }
    }
    throw new IpamException.Contention(
        "IPAMHandle \"" + handleId + "\": gave up after " + MAX_ATTEMPTS + " conflicting writes");
  }

  /**
   * Deletes the handle record, trying the revision the caller read first (saving a read when
   * nothing changed it since).
   */
  public void delete(String handleId, long knownRevision) {
    try {
      store.deleteHandle(handleId, knownRevision);
    } catch (DatastoreException.Conflict | DatastoreException.Unavailable e) {
      delete(handleId);
    } catch (DatastoreException.NotFound e) {
      // Already gone.
    }
  }

  /** Deletes the handle record whatever it holds; absent is fine. */
  public void delete(String handleId) {
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Optional<Versioned<IpamHandle>> current =
          Backoff.retryUnavailable(() -> store.handle(handleId));
      if (current.isEmpty()) return;
      try {
        store.deleteHandle(handleId, current.get().revision());
        return;
      } catch (DatastoreException.Conflict | DatastoreException.NotFound e) {
        // re-read
      } catch (DatastoreException.Unavailable e) {
        Backoff.pause(attempt);
      }
    }
    throw new IpamException.Contention("IPAMHandle \"" + handleId + "\": could not delete");
  }
}
