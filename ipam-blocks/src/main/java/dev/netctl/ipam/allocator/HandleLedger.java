package dev.netctl.ipam.allocator;

import dev.netctl.datastore.Write;
import dev.netctl.ipam.store.Backoff;
import dev.netctl.ipam.store.IpamHandle;
import dev.netctl.ipam.store.IpamStore;
import dev.netctl.ipam.store.Versioned;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the handle records a node writer touches hold, and at which revision, so a block's commit
 * can carry their writes without reading each one first.
 *
 * <p>A handle never seen is assumed absent when only addresses are added to it (a new pod: the
 * common case, written with a create and no read); a commit that finds it present fails with
 * AlreadyExists and the writer {@link #refresh}es it. Counting down needs the stored counts, so it
 * reads first. Used by one drainer at a time.
 */
final class HandleLedger {

  /** One handle write of a commit and the record it leaves. */
  record Staged(String handleId, Write write, IpamHandle next) {}

  private final IpamStore store;
  private final Map<String, Optional<Versioned<IpamHandle>>> known = new HashMap<>();

  HandleLedger(IpamStore store) {
    this.store = store;
  }

  /**
   * The write that adds {@code deltas} (block CIDR to change in count) to the handle, or a staged
   * entry with a null write when the record stays as it is (absent and nothing to add).
   */
  Staged stage(String handleId, Map<String, Integer> deltas) {
    Optional<Versioned<IpamHandle>> cur = known.get(handleId);
    if (cur == null) {
      boolean countsDown = deltas.values().stream().anyMatch(d -> d < 0);
      cur = countsDown ? read(handleId) : Optional.empty();
    }
    IpamHandle next = cur.map(Versioned::value).orElse(new IpamHandle(handleId, Map.of()));
    for (Map.Entry<String, Integer> d : deltas.entrySet())
      next = next.plus(d.getKey(), d.getValue());
    Write write;
    if (cur.isEmpty()) {
      write =
          next.total() > 0
              ? new Write.Create(IpamStore.handleKey(handleId), IpamStore.encode(next))
              : null;
    } else if (next.total() == 0) {
      write = new Write.Delete(IpamStore.handleKey(handleId), cur.get().revision());
    } else {
      write =
          new Write.Update(
              IpamStore.handleKey(handleId), IpamStore.encode(next), cur.get().revision());
    }
    return new Staged(handleId, write, next);
  }

  /** Records the outcome of a staged write that was committed at {@code revision}. */
  void committed(Staged s, long revision) {
    if (s.write() == null) return;
    known.put(
        s.handleId(),
        s.write() instanceof Write.Delete
            ? Optional.empty()
            : Optional.of(new Versioned<>(s.next(), revision)));
  }

  /** Reads the handle again: a commit found it other than we thought. */
  void refresh(String handleId) {
    known.put(handleId, read(handleId));
  }

  /** Forgets the handle: a commit's outcome is unknown. */
  void forget(String handleId) {
    known.remove(handleId);
  }

  /** Forgets everything: between batches others may change the records. */
  void clear() {
    known.clear();
  }

  private Optional<Versioned<IpamHandle>> read(String handleId) {
    return Backoff.retryUnavailable(() -> store.handle(handleId));
  }
}
