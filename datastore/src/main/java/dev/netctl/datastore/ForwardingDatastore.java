package dev.netctl.datastore;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A datastore that passes every call to another one: the base of wrappers that count, delay or
 * restrict some calls (tests and benchmarks), so each overrides only the calls it changes.
 */
public class ForwardingDatastore implements Datastore {
  /** The store every call goes to. */
  protected final Datastore inner;

  public ForwardingDatastore(Datastore inner) {
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
  public <T> Optional<T> capability(Class<T> type) {
    return inner.capability(type);
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
