package dev.netctl.datastore.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.DerivedKinds;
import dev.netctl.datastore.ForwardingDatastore;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.Write;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.lease.DatastoreLeaseStore;
import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.datastore.model.ResourceCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The migration lock's gate, wrapped once around a store: every write through it, whichever client
 * makes it, is refused while the store is locked, naming the lock and the object, and nothing of it
 * reaches the store; the lock itself and leader leases stay writable.
 */
class WriteGateTest {
  private static final String OBJECTS =
      """
      apiVersion: projectcalico.org/v3
      kind: IPPool
      metadata: {name: p}
      spec: {cidr: 10.9.0.0/16}
      ---
      apiVersion: projectcalico.org/v3
      kind: Node
      metadata: {name: n1}
      """;
  private static final byte[] VALUE = "{}".getBytes(StandardCharsets.UTF_8);

  private final MemoryDatastore memory = new MemoryDatastore();
  private final Migration migration = MigrationFixtures.migration();

  @AfterEach
  void close() {
    memory.close();
  }

  @Test
  void everyWriteThroughTheGateIsRefusedWhileLockedAndNothingIsWritten() {
    Key pre = new Key("IPAMHandle", "h");
    long preRevision = memory.create(pre, VALUE).join().revision();
    migration.lock(memory, "test");
    List<String> before = everything();
    WriteGate gate = new WriteGate(memory);

    // a resource client on a store with multi-write commits, and on one taking one write per
    // commit (as Kubernetes): the batch is refused whole, not half written
    for (Datastore store : List.of(gate, new OneWritePerCommit(gate))) {
      ResourceClient client = new ResourceClient(store);
      assertThatThrownBy(() -> client.applyAll(new ResourceCodec().read(OBJECTS, "test")))
          .isInstanceOf(DatastoreException.Locked.class)
          .hasMessageContaining("ClusterInformation \"default\" has datastoreReady: false")
          .hasMessageContaining("IPPool \"p\"");
    }
    // any other writer, on the raw contract
    List<Throwable> refused = new ArrayList<>();
    refused.add(failure(() -> gate.create(new Key("IPAMBlock", "b"), VALUE).join()));
    refused.add(failure(() -> gate.update(pre, VALUE, preRevision).join()));
    refused.add(failure(() -> gate.delete(pre, preRevision).join()));
    refused.add(
        failure(
            () ->
                gate.commit(
                        List.of(
                            new Write.Create(new Key("IPAMBlock", "b"), VALUE),
                            new Write.Delete(pre, preRevision)))
                    .join()));
    assertThat(refused)
        .allSatisfy(t -> assertThat(t).isInstanceOf(DatastoreException.Locked.class))
        .extracting(Throwable::getMessage)
        .anySatisfy(m -> assertThat(m).contains("create IPAMBlock \"b\""))
        .anySatisfy(m -> assertThat(m).contains("delete IPAMHandle \"h\""))
        .anySatisfy(m -> assertThat(m).contains("write IPAMBlock \"b\" and 1 more"));
    assertThat(everything()).as("nothing written").isEqualTo(before);
    assertThat(WriteGate.ready(gate)).isFalse();

    // leader leases and the lock itself stay writable: the unlock goes through the gate
    gate.create(new Key(DatastoreLeaseStore.KIND, "netctl-controllers"), VALUE).join();
    migration.unlock(gate);
    MigrationTest.eventually(() -> assertThat(WriteGate.ready(gate)).isTrue());
    new ResourceClient(gate).applyAll(new ResourceCodec().read(OBJECTS, "test"));
    assertThat(memory.get(new Key("IPPool", "p")).join()).isPresent();
  }

  @Test
  void aStoreWithoutAGateIsAlwaysReadyAndCapabilitiesPassThroughTheGate() {
    migration.lock(memory, "test");
    assertThat(WriteGate.ready(memory)).as("no gate: the caller opened it for migration").isTrue();
    Datastore deriving =
        new ForwardingDatastore(memory) {
          @Override
          public <T> Optional<T> capability(Class<T> type) {
            DerivedKinds derived = () -> Set.of("WorkloadEndpoint");
            return type == DerivedKinds.class ? Optional.of(type.cast(derived)) : Optional.empty();
          }
        };
    WriteGate gate = new WriteGate(deriving);
    assertThat(DerivedKinds.of(gate)).containsExactly("WorkloadEndpoint");
    assertThat(gate.capability(WriteGate.class)).containsSame(gate);
  }

  private List<String> everything() {
    List<String> out = new ArrayList<>();
    for (String kind : List.of("IPPool", "Node", "IPPoolGuard", "IPAMBlock", "IPAMHandle")) {
      memory.list(kind).join().entries().forEach(e -> out.add(e.key() + "@" + e.revision()));
    }
    return out;
  }

  private static Throwable failure(Runnable r) {
    try {
      r.run();
    } catch (CompletionException e) {
      return e.getCause();
    }
    throw new AssertionError("not refused");
  }

  /** A store whose reads of the lock the test answers, counting them. */
  static class LockReads extends ForwardingDatastore {
    final java.util.concurrent.atomic.AtomicInteger reads =
        new java.util.concurrent.atomic.AtomicInteger();
    volatile java.util.concurrent.CompletableFuture<dev.netctl.datastore.Listing> answer;

    LockReads(Datastore inner) {
      super(inner);
    }

    @Override
    public java.util.concurrent.CompletableFuture<dev.netctl.datastore.Listing> list(
        String kind, String namePrefix) {
      if (!kind.equals("ClusterInformation")) return super.list(kind, namePrefix);
      reads.incrementAndGet();
      return answer == null ? super.list(kind, namePrefix) : answer;
    }
  }

  @Test
  void writesWhileTheLockCannotBeReadPassAndShareOneReadAFailureStandsASecond() {
    migration.lock(memory, "test"); // not seen until the lock can be read
    LockReads store = new LockReads(memory);
    long[] now = {0};
    WriteGate gate = new WriteGate(store, () -> now[0]);

    // A read that hangs: writes in the meantime wait for that one read, not each for its own.
    store.answer = new java.util.concurrent.CompletableFuture<>();
    var first = gate.create(new Key("IPAMBlock", "a"), VALUE);
    var second = gate.create(new Key("IPAMBlock", "b"), VALUE);
    assertThat(store.reads).hasValue(1);
    assertThat(first).isNotDone();
    assertThat(second).isNotDone();
    // It fails (as the gate's own timeout would end it): both writes pass, fail-open.
    store.answer.completeExceptionally(
        new DatastoreException.Unavailable("test", "no answer", null));
    first.join();
    second.join();

    // Within the second after the failure, writes do not read again.
    store.answer =
        java.util.concurrent.CompletableFuture.failedFuture(
            new DatastoreException.Unavailable("test", "no answer", null));
    now[0] += WriteGate.FAILED_READ_KEPT.toNanos() - 1;
    gate.create(new Key("IPAMBlock", "c"), VALUE).join();
    gate.create(new Key("IPAMBlock", "e"), VALUE).join();
    assertThat(store.reads).as("a failed read stands").hasValue(1);

    // After it, the next write reads again, and a lock that reads "migrating" refuses it.
    now[0] += 1;
    store.answer = null;
    assertThat(failure(() -> gate.create(new Key("IPAMBlock", "d"), VALUE).join()))
        .isInstanceOf(DatastoreException.Locked.class)
        .hasMessageContaining("create IPAMBlock \"d\"");
    assertThat(store.reads).hasValue(2);
    assertThat(memory.get(new Key("IPAMBlock", "d")).join()).isEmpty();
    gate.close();
  }

  @Test
  void aLockReadThatThrowsInsteadOfFailingLetsWritesPassAndHoldsNoLaterWrite() {
    WriteGate gate =
        new WriteGate(
            new ForwardingDatastore(memory) {
              @Override
              public java.util.concurrent.CompletableFuture<dev.netctl.datastore.Listing> list(
                  String kind, String namePrefix) {
                if (kind.equals("ClusterInformation")) throw new IllegalStateException("closed");
                return super.list(kind, namePrefix);
              }
            });
    // Both complete: the throw counts as a failed read (fail open), and the read under way is
    // over, so the second write does not wait for a read that never ends.
    gate.create(new Key("IPAMBlock", "a"), VALUE).orTimeout(5, TimeUnit.SECONDS).join();
    gate.create(new Key("IPAMBlock", "b"), VALUE).orTimeout(5, TimeUnit.SECONDS).join();
    assertThat(memory.get(new Key("IPAMBlock", "b")).join()).isPresent();
    gate.close();
  }

  @Test
  void aLockReadWhoseWatchCannotStartStillRefusesAndTheNextWriteReadsAgain() {
    migration.lock(memory, "test");
    java.util.concurrent.atomic.AtomicInteger watches =
        new java.util.concurrent.atomic.AtomicInteger();
    LockReads store =
        new LockReads(memory) {
          @Override
          public Watch watch(
              String kind,
              long fromRevision,
              java.util.function.Consumer<dev.netctl.datastore.WatchEvent> listener) {
            if (kind.equals("ClusterInformation")) {
              watches.incrementAndGet();
              throw new IllegalStateException("no watch");
            }
            return super.watch(kind, fromRevision, listener);
          }
        };
    WriteGate gate = new WriteGate(store);
    assertThat(failure(() -> gate.create(new Key("IPAMBlock", "a"), VALUE).join()))
        .isInstanceOf(DatastoreException.Locked.class);
    assertThat(failure(() -> gate.create(new Key("IPAMBlock", "b"), VALUE).join()))
        .isInstanceOf(DatastoreException.Locked.class);
    assertThat(store.reads).as("no watch: each write reads the lock").hasValue(2);
    assertThat(watches).hasValue(2);
    assertThat(memory.get(new Key("IPAMBlock", "a")).join()).isEmpty();
    gate.close();
  }

  @Test
  void aLockReadThatCompletesAfterCloseStartsNoWatch() {
    java.util.concurrent.CompletableFuture<dev.netctl.datastore.Listing> listing =
        new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.atomic.AtomicInteger watches =
        new java.util.concurrent.atomic.AtomicInteger();
    Datastore slow =
        new ForwardingDatastore(memory) {
          @Override
          public java.util.concurrent.CompletableFuture<dev.netctl.datastore.Listing> list(
              String kind, String namePrefix) {
            return listing; // the first write's read of the lock, answered below
          }

          @Override
          public dev.netctl.datastore.Watch watch(
              String kind,
              long afterRevision,
              java.util.function.Consumer<dev.netctl.datastore.WatchEvent> listener) {
            watches.incrementAndGet();
            return super.watch(kind, afterRevision, listener);
          }
        };
    WriteGate gate = new WriteGate(slow);
    var write = gate.create(new Key("IPPool", "p"), VALUE);
    var answer = memory.list("ClusterInformation", "").join();
    gate.close(); // closes the store under it too
    listing.complete(answer);

    assertThat(watches).as("nothing would close a watch started now").hasValue(0);
    assertThat(write).isDone();
  }
}
