package dev.netctl.datastore;

import java.util.Arrays;
import java.util.Objects;

/**
 * One stored object: its key, its serialized value and the revision at which it was last written.
 *
 * <p>The revision is the store-wide revision of the write that produced this value (etcd's
 * mod_revision, Kubernetes' resourceVersion). It is what {@link Datastore#update} and {@link
 * Datastore#delete} compare against.
 *
 * @param key the object's key
 * @param value the serialized object (JSON); callers must not modify the array
 * @param revision the revision of the write that produced this value, always &gt; 0
 */
public record Entry(Key key, byte[] value, long revision) {
  public Entry {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (revision <= 0) {
      throw new IllegalArgumentException("revision must be positive: " + revision);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Entry e
        && key.equals(e.key)
        && revision == e.revision
        && Arrays.equals(value, e.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, revision, Arrays.hashCode(value));
  }

  @Override
  public String toString() {
    return "Entry[" + key + "@" + revision + ", " + value.length + " bytes]";
  }
}
