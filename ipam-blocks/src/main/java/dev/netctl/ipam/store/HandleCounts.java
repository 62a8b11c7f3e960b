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
