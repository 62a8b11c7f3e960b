package dev.netctl.bench.ipam;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.ForwardingDatastore;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Listing;
import dev.netctl.datastore.Write;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/** Counts the calls that reach the datastore: writes are transactions, reads are range reads. */
public final class CountingDatastore extends ForwardingDatastore {
  final LongAdder reads = new LongAdder();
  final LongAdder writes = new LongAdder();

  public CountingDatastore(Datastore inner) {
    super(inner);
  }

  void reset() {
    reads.reset();
    writes.reset();
  }

  @Override
  public CompletableFuture<Optional<Entry>> get(Key key) {
    reads.increment();
    return inner.get(key);
  }

  @Override
  public CompletableFuture<Listing> list(String kind, String namePrefix) {
    reads.increment();
    return inner.list(kind, namePrefix);
  }

  @Override
  public CompletableFuture<Entry> create(Key key, byte[] value) {
    writes.increment();
    return inner.create(key, value);
  }

  @Override
  public CompletableFuture<Entry> update(Key key, byte[] value, long expectedRevision) {
    writes.increment();
    return inner.update(key, value, expectedRevision);
  }

  @Override
  public CompletableFuture<Long> delete(Key key, long expectedRevision) {
    writes.increment();
    return inner.delete(key, expectedRevision);
  }

  /** One commit is one etcd transaction, however many keys it writes. */
  @Override
  public CompletableFuture<List<Long>> commit(List<Write> writes) {
    this.writes.increment();
    return inner.commit(writes);
  }
}
