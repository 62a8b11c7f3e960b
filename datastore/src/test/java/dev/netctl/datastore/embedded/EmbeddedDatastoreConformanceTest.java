package dev.netctl.datastore.embedded;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreConformanceTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract checks on the sqlite store. Restart = the process holding the store goes away and a
 * new one opens the same file; history loss = trimming the event log.
 */
class EmbeddedDatastoreConformanceTest extends DatastoreConformanceTest {
  @TempDir Path dir;

  @Override
  protected Datastore openStore() {
    return new EmbeddedDatastore(dir.resolve("netctl.db"));
  }

  @Override
  protected boolean restartBackend() {
    store.close();
    store = new EmbeddedDatastore(dir.resolve("netctl.db"));
    storeReplaced = true;
    return true;
  }

  @Override
  protected boolean forceHistoryLoss(long revision) {
    await(((EmbeddedDatastore) store).compact(revision));
    return true;
  }
}
