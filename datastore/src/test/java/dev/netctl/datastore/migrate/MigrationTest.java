package dev.netctl.datastore.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.DerivedKinds;
import dev.netctl.datastore.ForwardingDatastore;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.IPPoolSpec;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.datastore.model.ResourceCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MigrationTest {
  private final ResourceCodec codec = new ResourceCodec();
  private final Migration migration = MigrationFixtures.migration();

  @Test
  void exportImportExportIsIdenticalAndKeepsEveryKind() {
    try (Datastore source = new MemoryDatastore();
        Datastore target = new MemoryDatastore()) {
      MigrationFixtures.populate(source);
      Dump dump = migration.export(source);
      String yaml = dump.toYaml(codec);

      assertThat(dump.counts())
          .containsEntry("IPPool", 2)
          .containsEntry("BGPConfiguration", 2)
          .containsEntry("WorkloadEndpoint", 1)
          .containsEntry("IPAMBlock", 1)
          .containsEntry("IPAMHandle", 2);
      assertThat(yaml).startsWith("format: " + Dump.FORMAT + "\n");
      // what a YAML 1.1 reader would turn into numbers or booleans stays quoted
      assertThat(yaml).contains("tier: \"123\"").contains("\"no\"");
      assertThat(Migration.locked(source))
          .as("an export of an unlocked store unlocks it after")
          .isFalse();

      Migration.Imported imported =
          migration.importInto(target, Dump.parse(yaml, "dump.yaml", codec));
      assertThat(imported.counts()).isEqualTo(dump.counts());
      assertThat(Migration.locked(target)).as("an imported target stays locked").isTrue();
      assertThat(migration.export(target).toYaml(codec)).isEqualTo(yaml);
      // the imported resources are readable by the typed client with their identity kept
      IPPool pool = new ResourceClient(target).get(Kind.IP_POOL, "pool-v4");
      assertThat(pool.metadata().uid())
          .isEqualTo(new ResourceClient(source).get(Kind.IP_POOL, "pool-v4").metadata().uid());
      assertThat(
              new ResourceClient(target)
                  .get(Kind.WORKLOAD_ENDPOINT, "shop/node--1-k8s-web-eth0")
                  .spec()
                  .containerID())
          .isEqualTo("abc123");
    }
  }

  @Test
  void importWritesInChunksOfTheTargetsCommitLimit() {
    try (Datastore source = new MemoryDatastore();
        OneWritePerCommit target = new OneWritePerCommit(new MemoryDatastore())) {
      MigrationFixtures.populate(source);
      Dump dump = migration.export(source);
      Migration.Imported imported = migration.importInto(target, dump);
      assertThat(imported.commits()).isEqualTo(dump.entries().size());
      assertThat(target.commits.get()).isEqualTo(dump.entries().size());
      assertThat(migration.export(target)).isEqualTo(dump);
    }
  }

  @Test
  void importSkipsTheKindsTheTargetDerivesAndDoesNotCountThemAsContent() {
    try (Datastore source = new MemoryDatastore();
        Datastore memory = new MemoryDatastore()) {
      MigrationFixtures.populate(source);
      Dump dump = migration.export(source);
      // the target's own endpoint (a Pod of its cluster, on Kubernetes) is already there
      Key own = new Key("WorkloadEndpoint", "default/node--9-k8s-own-eth0");
      memory.create(own, "{}".getBytes(StandardCharsets.UTF_8)).join();
      Datastore target =
          new ForwardingDatastore(memory) {
            @Override
            public <T> java.util.Optional<T> capability(Class<T> type) {
              DerivedKinds derived = () -> java.util.Set.of("WorkloadEndpoint");
              return type == DerivedKinds.class
                  ? java.util.Optional.of(type.cast(derived))
                  : super.capability(type);
            }
          };
      Migration.Imported imported = migration.importInto(target, dump);
      assertThat(imported.skipped()).isEqualTo(java.util.Map.of("WorkloadEndpoint", 1));
      assertThat(imported.counts()).doesNotContainKey("WorkloadEndpoint");
      assertThat(memory.list("WorkloadEndpoint").join().entries())
          .extracting(e -> e.key())
          .containsExactly(own);
      assertThat(memory.list("IPAMBlock").join().entries()).isNotEmpty();
    }
  }

  @Test
  void importRefusesANonEmptyTargetNamingWhatItHolds() {
    try (Datastore source = new MemoryDatastore();
        Datastore target = new MemoryDatastore()) {
      MigrationFixtures.populate(source);
      Dump dump = migration.export(source);
      MigrationFixtures.raw(target, "IPAMHandle", "h-left-over", "{\"handleID\":\"h-left-over\"}");
      assertThatThrownBy(() -> migration.importInto(target, dump))
          .isInstanceOf(MigrationException.class)
          .hasMessageContaining("is not empty")
          .hasMessageContaining("1 IPAMHandle (h-left-over)")
          .extracting(e -> ((MigrationException) e).reason())
          .isEqualTo(MigrationException.Reason.TARGET_NOT_EMPTY);
      assertThat(target.list("IPPool").join().entries()).isEmpty();
      assertThat(Migration.locked(target)).isFalse();
    }
  }

  @Test
  void anUnknownFieldInTheDumpIsNamedByItsKeyNotAsDocument1() {
    try (Datastore source = new MemoryDatastore();
        Datastore target = new MemoryDatastore()) {
      MigrationFixtures.populate(source);
      String yaml =
          migration
              .export(source)
              .toYaml(codec)
              .replaceFirst("\n    blockSize: 26\n", "\n    blockSize: 26\n    bogus: 1\n");
      Dump dump = Dump.parse(yaml, "dump.yaml", codec);
      assertThatThrownBy(() -> migration.importInto(target, dump))
          .isInstanceOf(MigrationException.class)
          .hasMessageContaining("\nIPPool/pool-v4: field spec.bogus is not a known field (known:")
          .hasMessageNotContaining("document 1");
    }
  }

  @Test
  void anInvalidObjectInTheDumpWritesNothing() {
    try (Datastore source = new MemoryDatastore();
        Datastore target = new MemoryDatastore()) {
      MigrationFixtures.populate(source);
      String yaml =
          migration.export(source).toYaml(codec).replace("blockSize: 26", "blockSize: 99");
      Dump dump = Dump.parse(yaml, "dump.yaml", codec);
      assertThatThrownBy(() -> migration.importInto(target, dump))
          .isInstanceOf(MigrationException.class)
          .hasMessageContaining("IPPool/pool-v4")
          .hasMessageContaining("blockSize")
          .hasMessageContaining("nothing was written");
      assertThat(target.list("IPAMBlock").join().entries()).isEmpty();
    }
  }

  @Test
  void aTruncatedOrForeignFileIsRefused() {
    try (Datastore source = new MemoryDatastore()) {
      MigrationFixtures.populate(source);
      String yaml = migration.export(source).toYaml(codec);
      String truncated = yaml.substring(0, yaml.lastIndexOf("---"));
      assertThatThrownBy(() -> Dump.parse(truncated, "dump.yaml", codec))
          .hasMessageContaining("declares 2 IPAMHandle object(s) but 1 follow");
      assertThatThrownBy(() -> Dump.parse("kind: IPPool\n", "x.yaml", codec))
          .hasMessageContaining("x.yaml: document 1: field \"format\"");
      assertThatThrownBy(
              () ->
                  migration.importInto(
                      new MemoryDatastore(),
                      Dump.parse(
                          "format: "
                              + Dump.FORMAT
                              + "\nkinds: {Widget: 1}\n---\nkind: Widget\nname: w\nvalue: {a: 1}\n",
                          "w.yaml",
                          codec)))
          .hasMessageContaining("Widget/w: kind \"Widget\" is not one this netctl migrates");
    }
  }

  @Test
  void aLockedStoreRefusesResourceWritesUntilUnlocked() {
    // the store as Datastores.open opens it: behind the migration lock's gate
    try (Datastore store = new WriteGate(new MemoryDatastore())) {
      ResourceClient client = new ResourceClient(store);
      IPPool pool = new IPPool(ObjectMeta.named("p"), IPPoolSpec.of("10.9.0.0/16"));
      migration.lock(store, "test");
      assertThatThrownBy(() -> client.create(pool))
          .isInstanceOf(DatastoreException.Locked.class)
          .hasMessageContaining("locked for migration")
          .hasMessageContaining("IPPool \"p\"");
      assertThat(store.get(new Key("IPPool", "p")).join()).isEmpty();
      migration.unlock(store);
      // the client's gate learns of the unlock through its watch
      eventually(() -> client.create(pool));
      migration.lock(store, "again");
      // Probe with a new pool each time: a probe the gate let through (it had not seen the lock
      // yet) must not change what the next probe finds, as deleting "p" itself would.
      int[] probe = {0};
      eventually(
          () -> {
            int i = ++probe[0];
            IPPool p =
                new IPPool(
                    ObjectMeta.named("probe-" + i),
                    IPPoolSpec.of("fd00:" + Integer.toHexString(i) + "::/64"));
            assertThatThrownBy(() -> client.create(p))
                .isInstanceOf(DatastoreException.Locked.class);
          });
      assertThatThrownBy(() -> client.delete(Kind.IP_POOL, "p"))
          .isInstanceOf(DatastoreException.Locked.class);
      assertThat(client.get(Kind.IP_POOL, "p").name()).isEqualTo("p");
    }
  }

  @Test
  void anExportFailsWhenSomethingWasWrittenAfterTheLock() {
    try (Datastore store = new MemoryDatastore()) {
      MigrationFixtures.populate(store);
      migration.lock(store, "test");
      // a raw write, as a writer that has not seen the lock yet would make
      store
          .create(
              new Key("IPAMHandle", "late"),
              "{\"handleID\":\"late\"}".getBytes(StandardCharsets.UTF_8))
          .join();
      assertThatThrownBy(() -> migration.export(store))
          .isInstanceOf(MigrationException.class)
          .hasMessageContaining("IPAMHandle/late")
          .hasMessageContaining("after the migration lock");
      assertThat(Migration.locked(store))
          .as("a store locked before the export stays locked")
          .isTrue();
    }
  }

  @Test
  void anExportFailsWhenSomethingIsDeletedWhileItReads() {
    try (Datastore memory = new MemoryDatastore()) {
      MigrationFixtures.populate(memory);
      Key victim = new Key("IPAMHandle", "k8s-pod-network.abc123");
      boolean[] deleted = {false};
      // a writer that had not seen the lock deletes a handle right after the export listed it
      Datastore store =
          new ForwardingDatastore(memory) {
            @Override
            public java.util.concurrent.CompletableFuture<dev.netctl.datastore.Listing> list(
                String kind, String namePrefix) {
              var listing = inner.list(kind, namePrefix).join();
              if (kind.equals("IPAMHandle") && !deleted[0]) {
                deleted[0] = true;
                inner.delete(victim, inner.get(victim).join().orElseThrow().revision()).join();
              }
              return java.util.concurrent.CompletableFuture.completedFuture(listing);
            }
          };
      assertThatThrownBy(() -> migration.export(store))
          .isInstanceOf(MigrationException.class)
          .hasMessageContaining(
              "changed while it was exported (IPAMHandle/k8s-pod-network.abc123 was deleted)");
      assertThat(Migration.locked(memory)).as("the export's own lock is released").isFalse();
    }
  }

  /**
   * Retries {@code check} until it passes, for at most 15 s (a watch delivers asynchronously, late
   * on a loaded machine).
   */
  static void eventually(Runnable check) {
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (true) {
      try {
        check.run();
        return;
      } catch (RuntimeException | AssertionError e) {
        if (System.nanoTime() > deadline) throw e;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
