package dev.netctl.datastore.etcd;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreConformanceTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The contract checks on a real etcd (one process for the class; each test has its own kind).
 * Restart = stopping and starting etcd under the same client; history loss = etcd compaction.
 */
class EtcdDatastoreConformanceTest extends DatastoreConformanceTest {
  private static EtcdProcess etcd;

  @BeforeAll
  static void startEtcd() {
    etcd = EtcdProcess.start();
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) etcd.close();
  }

  @Override
  protected Datastore openStore() {
    return EtcdDatastore.connect(java.util.List.of(etcd.endpoint()), null);
  }

  @Override
  protected boolean restartBackend() {
    etcd.restart();
    return true;
  }

  @Override
  protected boolean forceHistoryLoss(long revision) {
    await(((EtcdDatastore) store).compact(revision));
    return true;
  }
}
