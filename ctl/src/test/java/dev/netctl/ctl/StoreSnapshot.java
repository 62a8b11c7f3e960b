package dev.netctl.ctl;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Listing;
import dev.netctl.datastore.model.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Everything stored, for every kind: names, revisions and values. Two equal snapshots mean nothing
 * was written in between.
 */
record StoreSnapshot(List<String> lines) {

  static StoreSnapshot of(String spec) {
    List<String> lines = new ArrayList<>();
    try (Datastore store = Datastores.open(spec, null)) {
      for (Kind<?> kind : Kind.all()) {
        Listing l = store.list(kind.storageKind()).get(20, TimeUnit.SECONDS);
        for (Entry e : l.entries()) {
          lines.add(
              kind.name()
                  + "/"
                  + e.key().name()
                  + "@"
                  + e.revision()
                  + " "
                  + new String(e.value(), StandardCharsets.UTF_8));
        }
      }
    } catch (Exception e) {
      throw new AssertionError("cannot read " + spec, e);
    }
    return new StoreSnapshot(List.copyOf(lines));
  }

  int size() {
    return lines.size();
  }
}
