package dev.netctl.datastore.migrate;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Listing;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.WatchEvent;
import dev.netctl.datastore.Write;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A store that allows one write per commit, as the Kubernetes backend does, and counts commits: for
 * the callers that must chunk their writes.
 */
class ForwardingDatastore implements Datastore {
  final Datastore inner;

  ForwardingDatastore(Datastore inner) {
    this.inner = inner;
  }

  @Override
  public CompletableFuture<Optional<Entry>> get(Key key) {
    return inner.get(key);
  }

  @Override
  public CompletableFuture<Listing> list(String kind, String namePrefix) {
    return inner.list(kind, namePrefix);
  }

  @Override
  public CompletableFuture<Entry> create(Key key, byte[] value) {
    return inner.create(key, value);
  }

  @Override
  public CompletableFuture<Entry> update(Key key, byte[] value, long expectedRevision) {
    return inner.update(key, value, expectedRevision);
  }

  @Override
  public CompletableFuture<Long> delete(Key key, long expectedRevision) {
    return inner.delete(key, expectedRevision);
  }

  @Override
  public CompletableFuture<List<Long>> commit(List<Write> writes) {
    return inner.commit(writes);
  }

  @Override
  public int maxOpsPerCommit() {
    return inner.maxOpsPerCommit();
  }

  @Override
  public Watch watch(String kind, long afterRevision, Consumer<WatchEvent> listener) {
    return inner.watch(kind, afterRevision, listener);
  }

  @Override
  public String address() {
    return inner.address();
  }

  @Override
  public void close() {
    inner.close();
  }
}
