package dev.netctl.agent.syncer;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Listing;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.WatchEvent;
import java.lang.System.Logger.Level;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One kind's list-then-watch: a cache of its decoded objects by name, kept current by a watch from
 * the list's revision, relisted when the watch reports its history gone. An object that does not
 * decode or validate (written by another tool) is left out with one log line naming it; the rest of
 * the kind proceeds.
 *
 * @param <T> the decoded value
 */
final class KindFeed<T> implements AutoCloseable {

  /** Decodes a stored entry; throws (any runtime exception) when it is not valid. */
  interface Decoder<T> {
    T decode(Entry e);
  }

  /** Told of every change: one object by name, or everything (name null) after a (re)list. */
  interface Changes {
    void changed(String name, boolean deleted);
  }

  private static final System.Logger LOG = System.getLogger("netctl.agent.syncer");

  private final Datastore store;
  private final String kind;
  private final Decoder<T> decoder;
  private final Changes onChange;
  private final Map<String, T> items = new ConcurrentHashMap<>();
  private volatile boolean synced;
  private volatile Watch watch;
  private volatile boolean closed;

  KindFeed(Datastore store, String kind, Decoder<T> decoder, Changes onChange) {
    this.store = store;
    this.kind = kind;
    this.decoder = decoder;
    this.onChange = onChange;
  }

  /** Lists and starts watching. Blocks for the list; throws when the datastore fails. */
  void start() throws Exception {
    Listing l = store.list(kind).get(30, TimeUnit.SECONDS);
    // Replace entry by entry, never clear: a reader during a relist sees the old or the new item,
    // never a moment without it (which the policy feed would take for a deletion).
    Set<String> listed = new HashSet<>();
    for (Entry e : l.entries()) {
      listed.add(e.key().name());
      put(e);
    }
    items.keySet().retainAll(listed);
    synced = true;
    onChange.changed(null, false);
    watch = store.watch(kind, l.revision(), this::onEvent);
  }

  private void onEvent(WatchEvent ev) {
    switch (ev) {
      case WatchEvent.Put p -> {
        boolean ok = put(p.entry());
        onChange.changed(p.entry().key().name(), !ok);
      }
      case WatchEvent.Deleted d -> {
        items.remove(d.key().name());
        onChange.changed(d.key().name(), true);
      }
      case WatchEvent.ResyncNeeded r -> {
        LOG.log(Level.INFO, "{0}: watch history gone ({1}); listing again", kind, r.reason());
        synced = false;
        Thread.startVirtualThread(this::relist);
      }
    }
  }

  private void relist() {
    Watch old = watch;
    if (old != null) old.close();
    long backoff = 100;
    for (int attempt = 0; !closed; attempt++) {
      try {
        start();
        return;
      } catch (Exception e) {
        LOG.log(Level.WARNING, "{0}: relist failed ({1}); retrying", kind, e.getMessage());
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          return;
        }
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  /** Stores the decoded entry; false when it was left out (and so removed). */
  private boolean put(Entry e) {
    try {
      items.put(e.key().name(), decoder.decode(e));
      return true;
    } catch (RuntimeException ex) {
      // Keep the rest going; a later valid write of the same object replaces this.
      items.remove(e.key().name());
      LOG.log(
          Level.WARNING,
          "skipping {0} \"{1}\" at revision {2}: {3}",
          kind,
          e.key().name(),
          e.revision(),
          ex.getMessage());
      return false;
    }
  }

  boolean synced() {
    return synced;
  }

  List<T> values() {
    return List.copyOf(items.values());
  }

  /** The current objects by name. */
  Map<String, T> byName() {
    return Map.copyOf(items);
  }

  /** The current object of that name, or null. */
  T get(String name) {
    return items.get(name);
  }

  @Override
  public void close() {
    closed = true;
    Watch w = watch;
    if (w != null) w.close();
  }
}
