package dev.netctl.datastore.migrate;

import dev.netctl.datastore.Key;
import java.util.Arrays;
import java.util.Objects;

/**
 * One stored object in a dump: its key and its value as the datastore holds it (compact JSON).
 * Revisions are not part of it: they belong to the source store and mean nothing in the target.
 */
public record DumpEntry(Key key, byte[] value) {
  public DumpEntry {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DumpEntry e && key.equals(e.key) && Arrays.equals(value, e.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, Arrays.hashCode(value));
  }

  @Override
  public String toString() {
    return "DumpEntry[" + key + ", " + value.length + " bytes]";
  }
}
