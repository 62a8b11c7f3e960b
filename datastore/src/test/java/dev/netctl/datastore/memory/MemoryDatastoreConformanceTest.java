package dev.netctl.datastore.memory;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreConformanceTest;

/** The contract checks on the process-local store (no restart, no history loss: both skipped). */
class MemoryDatastoreConformanceTest extends DatastoreConformanceTest {
  @Override
  protected Datastore openStore() {
    return new MemoryDatastore();
  }

  @Override
  protected boolean restartBackend() {
    return false;
  }

  @Override
  protected boolean forceHistoryLoss(long revision) {
    return false;
  }
}
