package dev.netctl.datastore.migrate;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.ForwardingDatastore;
import dev.netctl.datastore.Write;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store that allows one write per commit, as the Kubernetes backend does, and counts commits: for
 * the callers that must chunk their writes.
 */
final class OneWritePerCommit extends ForwardingDatastore {
  final AtomicInteger commits = new AtomicInteger();

  OneWritePerCommit(Datastore inner) {
    super(inner);
  }

  @Override
  public CompletableFuture<List<Long>> commit(List<Write> writes) {
    if (writes.size() > 1) throw new IllegalArgumentException("one write per commit here");
    commits.incrementAndGet();
    return inner.commit(writes);
  }

  @Override
  public int maxOpsPerCommit() {
    return 1;
  }

  @Override
  public String address() {
    return "one-write-per-commit:" + inner.address();
  }
}
