package dev.netctl.datastore.embedded;

import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A second OS process for the embedded store's multi-process tests: creates {@code <prefix>-<i>}
 * objects of a kind on a file and prints {@code ack <name> <revision>} after each acknowledged
 * write, so the parent knows exactly which writes were acknowledged before it killed this process.
 *
 * <p>Arguments: file, kind, name prefix, count (negative: until killed).
 */
public final class EmbeddedWriterMain {
  private EmbeddedWriterMain() {}

  public static void main(String[] args) {
    Path file = Path.of(args[0]);
    String kind = args[1];
    String prefix = args[2];
    int count = Integer.parseInt(args[3]);
    try (EmbeddedDatastore store = new EmbeddedDatastore(file)) {
      System.out.println("ready");
      System.out.flush();
      for (int i = 0; count < 0 || i < count; i++) {
        String name = prefix + "-" + i;
        Entry e =
            store.create(new Key(kind, name), ("v" + i).getBytes(StandardCharsets.UTF_8)).join();
        System.out.println("ack " + name + " " + e.revision());
        System.out.flush();
      }
    }
  }
}
