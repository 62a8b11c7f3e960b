package dev.netctl.datastore;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One conditional write of a {@link Datastore#commit}: the same three operations as the single-key
 * calls, each with the condition it carries there.
 */
public sealed interface Write {

  /** The key this write touches; a commit touches each key at most once. */
  Key key();

  /** Stores a new object; its condition is that the key is absent (else AlreadyExists). */
  record Create(Key key, byte[] value) implements Write {
    public Create {
      Objects.requireNonNull(key, "key");
      value = Objects.requireNonNull(value, "value").clone();
    }
  }

  /** Replaces the object; its condition is that the stored revision is {@code expectedRevision}. */
  record Update(Key key, byte[] value, long expectedRevision) implements Write {
    public Update {
      Objects.requireNonNull(key, "key");
      value = Objects.requireNonNull(value, "value").clone();
    }
  }

  /** Deletes the object; its condition is that the stored revision is {@code expectedRevision}. */
  record Delete(Key key, long expectedRevision) implements Write {
    public Delete {
      Objects.requireNonNull(key, "key");
    }
  }

  /**
   * Rejects a commit no backend may apply: empty, more than {@code maxOps} writes, or one key
   * written twice (etcd refuses duplicate keys in a transaction, and the outcome would depend on
   * the order anyway).
   *
   * @throws IllegalArgumentException naming the store, the rule and the offending value
   */
  static void checkCommit(List<Write> writes, int maxOps, String address) {
    if (writes.isEmpty()) {
      throw new IllegalArgumentException("commit on " + address + ": no writes given");
    }
    if (writes.size() > maxOps) {
      throw new IllegalArgumentException(
          "commit on "
              + address
              + ": "
              + writes.size()
              + " writes exceed the limit of "
              + maxOps
              + " per commit (etcd --max-txn-ops); split it");
    }
    Set<Key> seen = new HashSet<>();
    for (Write w : writes) {
      if (!seen.add(w.key())) {
        throw new IllegalArgumentException(
            "commit on " + address + ": key " + w.key() + " is written twice; one write per key");
      }
    }
  }
}
