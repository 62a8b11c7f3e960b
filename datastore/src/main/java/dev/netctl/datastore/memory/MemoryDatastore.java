package dev.netctl.datastore.memory;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Listing;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.WatchEvent;
import dev.netctl.datastore.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * A process-local datastore for unit tests of the layers above. It keeps the full contract (CAS,
 * revisions, ordered watches) but no durability, so it never stands in for embedded or etcd in an
 * integration test.
 */
public final class MemoryDatastore implements Datastore {

  private final TreeMap<Key, Entry> objects =
      new TreeMap<>(
          (a, b) -> {
            int c = a.kind().compareTo(b.kind());
            return c != 0 ? c : a.name().compareTo(b.name());
          });
  private final List<WatchEvent> history = new ArrayList<>();
  private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
  private long revision;
  private boolean closed;

  @Override
  public synchronized CompletableFuture<Optional<Entry>> get(Key key) {
    if (closed) return unavailable();
    return CompletableFuture.completedFuture(Optional.ofNullable(objects.get(key)));
  }

  @Override
  public synchronized CompletableFuture<Listing> list(String kind, String namePrefix) {
    if (closed) return unavailable();
    List<Entry> out = new ArrayList<>();
    for (Map.Entry<Key, Entry> e : objects.tailMap(new Key(kind, "\0"), true).entrySet()) {
      if (!e.getKey().kind().equals(kind)) break;
      if (e.getKey().name().startsWith(namePrefix)) out.add(e.getValue());
    }
    return CompletableFuture.completedFuture(new Listing(out, revision));
  }

  @Override
  public synchronized CompletableFuture<Entry> create(Key key, byte[] value) {
    if (closed) return unavailable();
    if (objects.containsKey(key)) {
      return CompletableFuture.failedFuture(new DatastoreException.AlreadyExists(key));
    }
    Entry e = new Entry(key, value.clone(), ++revision);
    objects.put(key, e);
    publish(new WatchEvent.Put(e, true));
    return CompletableFuture.completedFuture(e);
  }

  @Override
  public synchronized CompletableFuture<Entry> update(Key key, byte[] value, long expected) {
    if (closed) return unavailable();
    Entry cur = objects.get(key);
    if (cur == null) return CompletableFuture.failedFuture(new DatastoreException.NotFound(key));
    if (cur.revision() != expected) {
      return CompletableFuture.failedFuture(new DatastoreException.Conflict(key, expected, cur));
    }
    Entry e = new Entry(key, value.clone(), ++revision);
    objects.put(key, e);
    publish(new WatchEvent.Put(e, false));
    return CompletableFuture.completedFuture(e);
  }

  @Override
  public synchronized CompletableFuture<Long> delete(Key key, long expected) {
    if (closed) return unavailable();
    Entry cur = objects.get(key);
    if (cur == null) return CompletableFuture.failedFuture(new DatastoreException.NotFound(key));
    if (cur.revision() != expected) {
      return CompletableFuture.failedFuture(new DatastoreException.Conflict(key, expected, cur));
    }
    objects.remove(key);
    long rev = ++revision;
    publish(new WatchEvent.Deleted(key, rev));
    return CompletableFuture.completedFuture(rev);
  }

  /** Checks every condition first, then applies all writes at one shared revision, as etcd does. */
  @Override
  public synchronized CompletableFuture<List<Long>> commit(List<Write> writes) {
    Write.checkCommit(writes, maxOpsPerCommit(), address());
    if (closed) return unavailable();
    for (Write w : writes) {
      Entry cur = objects.get(w.key());
      DatastoreException failed =
          switch (w) {
            case Write.Create c ->
                cur == null ? null : new DatastoreException.AlreadyExists(c.key());
            case Write.Update u -> casFailure(u.key(), u.expectedRevision(), cur);
            case Write.Delete d -> casFailure(d.key(), d.expectedRevision(), cur);
          };
      if (failed != null) return CompletableFuture.failedFuture(failed);
    }
    long rev = ++revision;
    List<Long> out = new ArrayList<>(writes.size());
    for (Write w : writes) {
      switch (w) {
        case Write.Create c -> put(new Entry(c.key(), c.value(), rev), true);
        case Write.Update u -> put(new Entry(u.key(), u.value(), rev), false);
        case Write.Delete d -> {
          objects.remove(d.key());
          publish(new WatchEvent.Deleted(d.key(), rev));
        }
      }
      out.add(rev);
    }
    return CompletableFuture.completedFuture(out);
  }

  @Override
  public int maxOpsPerCommit() {
    return DEFAULT_MAX_OPS_PER_COMMIT;
  }

  private void put(Entry e, boolean created) {
    objects.put(e.key(), e);
    publish(new WatchEvent.Put(e, created));
  }

  private static DatastoreException casFailure(Key key, long expected, Entry cur) {
    if (cur == null) return new DatastoreException.NotFound(key);
    return cur.revision() == expected ? null : new DatastoreException.Conflict(key, expected, cur);
  }

  @Override
  public synchronized Watch watch(String kind, long afterRevision, Consumer<WatchEvent> listener) {
    Watcher w = new Watcher(kind, listener);
    for (WatchEvent ev : history) {
      if (ev.revision() > afterRevision && kindOf(ev).equals(kind)) w.deliver(ev);
    }
    watchers.add(w);
    return () -> {
      watchers.remove(w);
      w.executor.shutdown();
    };
  }

  @Override
  public String address() {
    return "memory";
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (Watcher w : watchers) w.executor.shutdown();
    watchers.clear();
  }

  private void publish(WatchEvent ev) {
    history.add(ev);
    String kind = kindOf(ev);
    for (Watcher w : watchers) {
      if (w.kind.equals(kind)) w.deliver(ev);
    }
  }

  private static String kindOf(WatchEvent ev) {
    return switch (ev) {
      case WatchEvent.Put p -> p.entry().key().kind();
      case WatchEvent.Deleted d -> d.key().kind();
      case WatchEvent.ResyncNeeded r -> "";
    };
  }

  private static <T> CompletableFuture<T> unavailable() {
    return CompletableFuture.failedFuture(
        new DatastoreException.Unavailable("memory", "closed", null));
  }

  /** One single-threaded executor per watcher keeps its events in order without a global lock. */
  private static final class Watcher {
    final String kind;
    final Consumer<WatchEvent> listener;
    final ExecutorService executor =
        Executors.newSingleThreadExecutor(Thread.ofVirtual().factory());

    Watcher(String kind, Consumer<WatchEvent> listener) {
      this.kind = kind;
      this.listener = listener;
    }

    void deliver(WatchEvent ev) {
      if (!executor.isShutdown()) executor.execute(() -> listener.accept(ev));
    }
  }
}
