package dev.netctl.datastore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.FelixConfiguration;
import dev.netctl.datastore.model.FelixConfigurationSpec;
import dev.netctl.datastore.model.IPReservation;
import dev.netctl.datastore.model.IPReservationSpec;
import dev.netctl.datastore.model.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Datastore} contract as executable checks. Each backend has a subclass that says how to
 * open a store, restart its backend and force history loss; every test here must pass for all of
 * them. Shared through the test-jar so a future backend (Kubernetes) reuses it as is.
 *
 * <p>Each test works on its own kind, so backends may keep one server for the whole class.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class DatastoreConformanceTest {
  protected static final Duration WAIT = Duration.ofSeconds(20);

  /** The store under test; {@link #restartBackend()} may replace it. */
  protected volatile Datastore store;

  /** This test's kind: unique per test so tests never see each other's objects. */
  protected String kind;

  private static final AtomicInteger KINDS = new AtomicInteger();

  /** Opens a store on a backend with no objects of this test's kinds. */
  protected abstract Datastore openStore() throws Exception;

  /**
   * Restarts the backend mid-run, as an operator or a crash would. Backends with a server restart
   * it and keep {@link #store}; a backend with no server (embedded) replaces {@link #store} with a
   * new instance on the same data, as a restarted process would.
   *
   * @return false when the backend cannot be restarted (memory), which skips the restart test
   */
  protected abstract boolean restartBackend() throws Exception;

  /**
   * Drops the backend's change history through {@code revision} (etcd: compact; embedded: trim).
   *
   * @return false when the backend keeps all history (memory), which skips the resync test
   */
  protected abstract boolean forceHistoryLoss(long revision) throws Exception;

  @BeforeEach
  void openTheStore(TestInfo info) throws Exception {
    kind =
        "Conf"
            + info.getTestMethod().map(m -> m.getName()).orElse("test").replaceAll("[^A-Za-z]", "")
            + KINDS.incrementAndGet();
    storeReplaced = false;
    store = openStore();
  }

  @AfterEach
  void closeTheStore() {
    if (store != null) store.close();
  }

  // --- a resource kind through the typed client --------------------------------------------

  @Test
  void anIPReservationIsStoredListedUpdatedAndDeletedThroughTheTypedClient() {
    ResourceClient client = new ResourceClient(store);
    String name = kind.toLowerCase(java.util.Locale.ROOT);
    IPReservation created =
        client.create(IPReservation.of(name, "10.0.2.3", "192.168.0.0/29", "cafe:f00d::/123"));

    IPReservation read = client.get(Kind.IP_RESERVATION, name);
    assertThat(read.spec().reservedCIDRs())
        .containsExactly("10.0.2.3", "192.168.0.0/29", "cafe:f00d::/123");
    assertThat(client.list(Kind.IP_RESERVATION)).extracting(IPReservation::name).contains(name);

    IPReservation changed =
        client.update(
            new IPReservation(
                read.metadata(), new IPReservationSpec(List.of("fd00::5", "10.9.0.0/24"))));
    assertThat(changed.metadata().resourceVersion())
        .isNotEqualTo(created.metadata().resourceVersion());
    assertThat(client.get(Kind.IP_RESERVATION, name).spec().reservedCIDRs())
        .containsExactly("fd00::5", "10.9.0.0/24");

    client.delete(Kind.IP_RESERVATION, name);
    assertThat(client.find(Kind.IP_RESERVATION, name)).isEmpty();
  }

  /**
   * A FelixConfiguration keeps every field netctl supports on every backend (on Kubernetes the
   * CRD's schema would drop one it did not declare).
   */
  @Test
  void aFelixConfigurationKeepsEveryFieldThroughTheTypedClient() {
    ResourceClient client = new ResourceClient(store);
    String name = "node." + kind.toLowerCase(java.util.Locale.ROOT);
    FelixConfigurationSpec all =
        new FelixConfigurationSpec(4097, 4790, 1400, 1380, 1420, false, "0.0.0.0", 9199, "1m30s");
    client.create(FelixConfiguration.of(name, all));

    FelixConfiguration read = client.get(Kind.FELIX_CONFIGURATION, name);
    assertThat(read.spec()).isEqualTo(all);
    assertThat(client.list(Kind.FELIX_CONFIGURATION))
        .extracting(FelixConfiguration::name)
        .contains(name);
    client.update(
        new FelixConfiguration(
            read.metadata(),
            new FelixConfigurationSpec(null, 8472, null, null, null, null, null, null, null)));
    assertThat(client.get(Kind.FELIX_CONFIGURATION, name).spec().vxlanPort()).isEqualTo(8472);
    assertThat(client.get(Kind.FELIX_CONFIGURATION, name).spec().vxlanVNI()).isNull();

    client.delete(Kind.FELIX_CONFIGURATION, name);
    assertThat(client.find(Kind.FELIX_CONFIGURATION, name)).isEmpty();
  }

  // --- create / get / list -------------------------------------------------------------------

  @Test
  void createThenGetReturnsTheStoredValueAndRevision() throws Exception {
    Entry created = await(store.create(key("a"), bytes("one")));
    assertThat(created.key()).isEqualTo(key("a"));
    assertThat(text(created)).isEqualTo("one");
    assertThat(created.revision()).isPositive();

    Optional<Entry> got = await(store.get(key("a")));
    assertThat(got).contains(created);
  }

  @Test
  void getOfAMissingKeyIsEmpty() throws Exception {
    assertThat(await(store.get(key("absent")))).isEmpty();
  }

  @Test
  void createOfAnExistingKeyFailsWithAlreadyExistsAndKeepsTheValue() throws Exception {
    Entry first = await(store.create(key("a"), bytes("one")));
    DatastoreException e = failure(store.create(key("a"), bytes("two")));
    assertThat(e).isInstanceOf(DatastoreException.AlreadyExists.class);
    assertThat(((DatastoreException.AlreadyExists) e).key()).isEqualTo(key("a"));
    assertThat(await(store.get(key("a")))).contains(first);
  }

  @Test
  void listReturnsOnlyThisKindSortedByNameFilteredByPrefixAtASnapshotRevision() throws Exception {
    String other = kind + "Other";
    Entry b = await(store.create(key("pod-b"), bytes("b")));
    Entry a = await(store.create(key("pod-a"), bytes("a")));
    Entry slash = await(store.create(key("pod-ns/x"), bytes("s")));
    Entry node = await(store.create(key("node-1"), bytes("n")));
    await(store.create(new Key(other, "pod-c"), bytes("c")));
    // A kind that is a prefix of another must not leak into it.
    await(store.create(new Key(kind + "X", "pod-z"), bytes("z")));

    Listing all = await(store.list(kind));
    assertThat(all.entries()).containsExactly(node, a, b, slash);
    assertThat(all.revision()).isGreaterThanOrEqualTo(slash.revision());

    Listing pods = await(store.list(kind, "pod-"));
    assertThat(pods.entries()).containsExactly(a, b, slash);
    assertThat(await(store.list(kind, "nothing")).entries()).isEmpty();
    assertThat(await(store.list(kind + "Empty")).entries()).isEmpty();
  }

  // --- update / delete ------------------------------------------------------------------------

  @Test
  void updateWithTheCurrentRevisionReplacesTheValueAtAHigherRevision() throws Exception {
    Entry v1 = await(store.create(key("a"), bytes("one")));
    Entry v2 = await(store.update(key("a"), bytes("two"), v1.revision()));
    assertThat(v2.revision()).isGreaterThan(v1.revision());
    assertThat(text(v2)).isEqualTo("two");
    assertThat(await(store.get(key("a")))).contains(v2);
  }

  @Test
  void updateWithAStaleRevisionFailsWithConflictCarryingTheCurrentEntry() throws Exception {
    Entry v1 = await(store.create(key("a"), bytes("one")));
    Entry v2 = await(store.update(key("a"), bytes("two"), v1.revision()));

    DatastoreException e = failure(store.update(key("a"), bytes("three"), v1.revision()));
    assertThat(e).isInstanceOf(DatastoreException.Conflict.class);
    DatastoreException.Conflict c = (DatastoreException.Conflict) e;
    assertThat(c.key()).isEqualTo(key("a"));
    assertThat(c.expectedRevision()).isEqualTo(v1.revision());
    assertThat(c.current()).contains(v2);
    assertThat(await(store.get(key("a")))).contains(v2);
  }

  @Test
  void updateAndDeleteOfAMissingKeyFailWithNotFound() throws Exception {
    assertThat(failure(store.update(key("none"), bytes("x"), 1)))
        .isInstanceOf(DatastoreException.NotFound.class);
    assertThat(failure(store.delete(key("none"), 1)))
        .isInstanceOf(DatastoreException.NotFound.class);
    assertThat(await(store.get(key("none")))).isEmpty();
  }

  @Test
  void deleteWithTheCurrentRevisionRemovesTheKeyAtAHigherRevision() throws Exception {
    Entry v1 = await(store.create(key("a"), bytes("one")));
    long deleted = await(store.delete(key("a"), v1.revision()));
    assertThat(deleted).isGreaterThan(v1.revision());
    assertThat(await(store.get(key("a")))).isEmpty();
    assertThat(await(store.list(kind)).entries()).isEmpty();
    // The key can be created again afterwards.
    Entry again = await(store.create(key("a"), bytes("two")));
    assertThat(again.revision()).isGreaterThan(deleted);
  }

  @Test
  void deleteWithAStaleRevisionFailsWithConflictAndKeepsTheKey() throws Exception {
    Entry v1 = await(store.create(key("a"), bytes("one")));
    Entry v2 = await(store.update(key("a"), bytes("two"), v1.revision()));
    DatastoreException e = failure(store.delete(key("a"), v1.revision()));
    assertThat(e).isInstanceOf(DatastoreException.Conflict.class);
    assertThat(((DatastoreException.Conflict) e).current()).contains(v2);
    assertThat(await(store.get(key("a")))).contains(v2);
  }

  @Test
  void revisionsOfSuccessiveWritesAreStrictlyIncreasingAcrossKeysAndKinds() throws Exception {
    long last = await(store.list(kind)).revision();
    for (int i = 0; i < 20; i++) {
      Key k = i % 3 == 0 ? new Key(kind + "B", "k" + i) : key("k" + i);
      Entry e = await(store.create(k, bytes("v" + i)));
      assertThat(e.revision()).as("create %d after revision %d", i, last).isGreaterThan(last);
      last = e.revision();
      Entry u = await(store.update(k, bytes("w" + i), e.revision()));
      assertThat(u.revision()).isGreaterThan(last);
      last = u.revision();
      if (i % 2 == 0) {
        long d = await(store.delete(k, u.revision()));
        assertThat(d).isGreaterThan(last);
        last = d;
      }
    }
    assertThat(await(store.list(kind)).revision()).isGreaterThanOrEqualTo(last);
  }

  @Test
  void operationsOnAClosedStoreFailWithUnavailable() throws Exception {
    store.close();
    assertThat(failure(store.get(key("a")))).isInstanceOf(DatastoreException.Unavailable.class);
    assertThat(failure(store.create(key("a"), bytes("x"))))
        .isInstanceOf(DatastoreException.Unavailable.class);
    store = null;
  }

  // --- watch ----------------------------------------------------------------------------------

  @Test
  void watchFromAListRevisionMissesNothingAndRepeatsNothing() throws Exception {
    for (int i = 0; i < 5; i++) await(store.create(key("pre" + i), bytes("p")));
    // Writes race with the list and the start of the watch.
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              for (int i = 0; i < 40 && !stop.get(); i++) {
                Entry e = await(store.create(key("w" + i), bytes("w")));
                if (i % 2 == 0) await(store.update(key("w" + i), bytes("u"), e.revision()));
                if (i % 4 == 0 && i < 20) {
                  Key pre = key("pre" + i / 4);
                  await(store.delete(pre, currentRevision(pre)));
                }
              }
            });
    Listing listing = await(store.list(kind));
    EventRecorder rec = new EventRecorder();
    try (Watch w = store.watch(kind, listing.revision(), rec)) {
      writer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      Listing end = await(store.list(kind));
      long target = maxRevisionOfKind(end, listing);
      List<WatchEvent> events =
          target > listing.revision() ? rec.awaitRevision(target, WAIT) : List.of();
      assertStrictlyIncreasing(events);
      assertThat(events)
          .allSatisfy(e -> assertThat(e.revision()).isGreaterThan(listing.revision()));
      // Replaying the events over the listing must give exactly the final state.
      Map<Key, Entry> state = new HashMap<>();
      for (Entry e : listing.entries()) state.put(e.key(), e);
      for (WatchEvent e : events) {
        switch (e) {
          case WatchEvent.Put p -> state.put(p.entry().key(), p.entry());
          case WatchEvent.Deleted d -> assertThat(state.remove(d.key())).isNotNull();
          case WatchEvent.ResyncNeeded r -> fail("unexpected resync " + r);
        }
      }
      assertThat(state.values()).containsExactlyInAnyOrderElementsOf(end.entries());
    } finally {
      stop.set(true);
    }
  }

  @Test
  void watchDeliversPutsAndDeletesWithTheirRevisionsAndCreatedFlag() throws Exception {
    long start = await(store.list(kind)).revision();
    EventRecorder rec = new EventRecorder();
    try (Watch w = store.watch(kind, start, rec)) {
      Entry c = await(store.create(key("a"), bytes("1")));
      Entry u = await(store.update(key("a"), bytes("2"), c.revision()));
      long d = await(store.delete(key("a"), u.revision()));
      List<WatchEvent> events = rec.awaitRevision(d, WAIT);
      assertThat(events)
          .containsExactly(
              new WatchEvent.Put(c, true),
              new WatchEvent.Put(u, false),
              new WatchEvent.Deleted(key("a"), d));
    }
  }

  @Test
  void watchOfOneKindDoesNotSeeAnotherKind() throws Exception {
    String other = kind + "Other";
    long start = await(store.list(kind)).revision();
    EventRecorder mine = new EventRecorder();
    EventRecorder theirs = new EventRecorder();
    try (Watch w1 = store.watch(kind, start, mine);
        Watch w2 = store.watch(other, start, theirs)) {
      Entry o1 = await(store.create(new Key(other, "x"), bytes("o")));
      Entry m1 = await(store.create(key("y"), bytes("m")));
      Entry o2 = await(store.create(new Key(kind + "X", "z"), bytes("prefix kind")));
      Entry m2 = await(store.create(key("z"), bytes("m")));
      assertThat(mine.awaitRevision(m2.revision(), WAIT))
          .containsExactly(new WatchEvent.Put(m1, true), new WatchEvent.Put(m2, true));
      assertThat(theirs.awaitRevision(o1.revision(), WAIT))
          .containsExactly(new WatchEvent.Put(o1, true));
      assertThat(o2.revision()).isLessThan(m2.revision());
    }
  }

  @Test
  void watchOrderUnderConcurrentWritersMatchesTheAcknowledgedRevisions() throws Exception {
    long start = await(store.list(kind)).revision();
    EventRecorder rec = new EventRecorder();
    int threads = 4;
    int writes = 25;
    Map<Long, Key> acked = new ConcurrentHashMap<>();
    try (Watch w = store.watch(kind, start, rec)) {
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        ts.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      for (int i = 0; i < writes; i++) {
                        Key k = key("t" + id + "-" + i);
                        acked.put(await(store.create(k, bytes("v"))).revision(), k);
                      }
                    }));
      }
      for (Thread t : ts) t.join(WAIT.toMillis());
      assertThat(acked).hasSize(threads * writes);
      long last = acked.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
      List<WatchEvent> events = rec.awaitRevision(last, WAIT);
      assertStrictlyIncreasing(events);
      Map<Long, Key> seen = new HashMap<>();
      for (WatchEvent e : events) seen.put(e.revision(), ((WatchEvent.Put) e).entry().key());
      assertThat(seen).isEqualTo(acked);
    }
  }

  @Test
  void watchFromCompactedHistoryGetsResyncNeededAndAFreshWatchWorks() throws Exception {
    long start = await(store.list(kind)).revision();
    Entry last = null;
    for (int i = 0; i < 5; i++) last = await(store.create(key("k" + i), bytes("v")));
    assumeTrue(forceHistoryLoss(last.revision()), "backend keeps all history");

    EventRecorder rec = new EventRecorder();
    try (Watch w = store.watch(kind, start, rec)) {
      List<WatchEvent> events = rec.awaitCount(1, WAIT);
      assertThat(events.getFirst()).isInstanceOf(WatchEvent.ResyncNeeded.class);
      // ResyncNeeded is the last event of its watch, even when writes follow.
      await(store.create(key("after"), bytes("v")));
      Listing relist = await(store.list(kind));
      EventRecorder fresh = new EventRecorder();
      try (Watch w2 = store.watch(kind, relist.revision(), fresh)) {
        Entry next = await(store.create(key("next"), bytes("v")));
        assertThat(fresh.awaitRevision(next.revision(), WAIT))
            .containsExactly(new WatchEvent.Put(next, true));
      }
      assertThat(rec.events()).hasSize(1);
    }
  }

  @Test
  void closedWatchStopsDelivering() throws Exception {
    long start = await(store.list(kind)).revision();
    EventRecorder rec = new EventRecorder();
    Watch w = store.watch(kind, start, rec);
    Entry first = await(store.create(key("a"), bytes("1")));
    rec.awaitRevision(first.revision(), WAIT);
    w.close();
    await(store.create(key("b"), bytes("2")));
    // A second watch proves the write was published; the closed one must not have seen it.
    EventRecorder probe = new EventRecorder();
    try (Watch w2 = store.watch(kind, first.revision(), probe)) {
      probe.awaitCount(1, WAIT);
    }
    assertThat(rec.events()).containsExactly(new WatchEvent.Put(first, true));
  }

  // --- concurrency ----------------------------------------------------------------------------

  @Test
  void concurrentReadModifyWriteIncrementsWithCasRetryAreExact() throws Exception {
    int threads = 8;
    int increments = 50;
    await(store.create(key("counter"), bytes("0")));
    AtomicInteger conflicts = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      CompletableFuture<Void> f = new CompletableFuture<>();
      done.add(f);
      Thread.ofPlatform()
          .start(
              () -> {
                try {
                  go.await();
                  Entry cur = await(store.get(key("counter"))).orElseThrow();
                  for (int i = 0; i < increments; ) {
                    int n = Integer.parseInt(text(cur));
                    try {
                      cur =
                          await(store.update(key("counter"), bytes("" + (n + 1)), cur.revision()));
                      i++;
                    } catch (DatastoreException.Conflict c) {
                      conflicts.incrementAndGet();
                      // The conflict carries the current value: retry without another read.
                      cur = c.current().orElseThrow();
                    }
                  }
                  f.complete(null);
                } catch (Throwable e) {
                  f.completeExceptionally(e);
                }
              });
    }
    go.countDown();
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(50, TimeUnit.SECONDS);
    Entry end = await(store.get(key("counter"))).orElseThrow();
    assertThat(text(end))
        .as(
            "%d threads x %d increments (%d conflicts retried)",
            threads, increments, conflicts.get())
        .isEqualTo("" + threads * increments);
  }

  // --- commit ---------------------------------------------------------------------------------

  @Test
  void commitAppliesMixedCreateUpdateDeleteTogether() throws Exception {
    assumeMultiWriteCommits(3);
    Entry a = await(store.create(key("a"), bytes("a1")));
    Entry b = await(store.create(key("b"), bytes("b1")));
    List<Long> revs =
        await(
            store.commit(
                List.of(
                    new Write.Create(key("c"), bytes("c1")),
                    new Write.Update(key("a"), bytes("a2"), a.revision()),
                    new Write.Delete(key("b"), b.revision()))));
    assertThat(revs).hasSize(3);
    assertThat(revs.getFirst()).isGreaterThan(b.revision());
    assertThat(revs).isSorted();
    assertThat(await(store.get(key("c")))).contains(new Entry(key("c"), bytes("c1"), revs.get(0)));
    assertThat(await(store.get(key("a")))).contains(new Entry(key("a"), bytes("a2"), revs.get(1)));
    assertThat(await(store.get(key("b")))).isEmpty();
    Listing after = await(store.list(kind));
    assertThat(after.revision()).isGreaterThanOrEqualTo(revs.getLast());
  }

  @Test
  void commitWithOneFailingConditionAppliesNothingAndNamesTheFailingWrite() throws Exception {
    assumeMultiWriteCommits(3);
    Entry a = await(store.create(key("a"), bytes("a1")));
    Entry a2 = await(store.update(key("a"), bytes("a2"), a.revision()));
    Entry b = await(store.create(key("b"), bytes("b1")));
    Listing before = await(store.list(kind));

    // A stale revision: Conflict carrying the entry now stored.
    DatastoreException stale =
        failure(
            store.commit(
                List.of(
                    new Write.Create(key("new"), bytes("n")),
                    new Write.Delete(key("b"), b.revision()),
                    new Write.Update(key("a"), bytes("a3"), a.revision()))));
    assertThat(stale).isInstanceOf(DatastoreException.Conflict.class);
    DatastoreException.Conflict c = (DatastoreException.Conflict) stale;
    assertThat(c.key()).isEqualTo(key("a"));
    assertThat(c.expectedRevision()).isEqualTo(a.revision());
    assertThat(c.current()).contains(a2);

    // A create of a present key: AlreadyExists.
    DatastoreException exists =
        failure(
            store.commit(
                List.of(
                    new Write.Update(key("a"), bytes("a3"), a2.revision()),
                    new Write.Create(key("b"), bytes("again")))));
    assertThat(exists).isInstanceOf(DatastoreException.AlreadyExists.class);
    assertThat(((DatastoreException.AlreadyExists) exists).key()).isEqualTo(key("b"));

    // An update of an absent key: NotFound.
    DatastoreException missing =
        failure(
            store.commit(
                List.of(
                    new Write.Create(key("new"), bytes("n")),
                    new Write.Update(key("gone"), bytes("x"), b.revision()))));
    assertThat(missing).isInstanceOf(DatastoreException.NotFound.class);
    assertThat(((DatastoreException.NotFound) missing).key()).isEqualTo(key("gone"));

    Listing after = await(store.list(kind));
    assertThat(after.entries())
        .as("no write of a failed commit is visible")
        .isEqualTo(before.entries());
    assertThat(await(store.get(key("new")))).isEmpty();
  }

  @Test
  void watchDeliversEveryWriteOfACommitInOrderAndNeverAPartOfIt() throws Exception {
    assumeMultiWriteCommits(3);
    Entry a = await(store.create(key("a"), bytes("a1")));
    Entry b = await(store.create(key("b"), bytes("b1")));
    long start = await(store.list(kind)).revision();
    // The listener reads the store when the commit's first event arrives: the others must be
    // visible already, since no reader may see a part of a commit.
    List<String> seenAtFirstEvent = new ArrayList<>();
    EventRecorder rec = new EventRecorder();
    try (Watch w =
        store.watch(
            kind,
            start,
            ev -> {
              if (seenAtFirstEvent.isEmpty()) {
                Listing now = await(store.list(kind));
                for (Entry e : now.entries()) seenAtFirstEvent.add(e.key().name() + "=" + text(e));
              }
              rec.accept(ev);
            })) {
      List<Long> revs =
          await(
              store.commit(
                  List.of(
                      new Write.Update(key("a"), bytes("a2"), a.revision()),
                      new Write.Create(key("c"), bytes("c1")),
                      new Write.Delete(key("b"), b.revision()))));
      List<WatchEvent> events = rec.awaitCount(3, WAIT);
      assertThat(events)
          .containsExactly(
              new WatchEvent.Put(new Entry(key("a"), bytes("a2"), revs.get(0)), false),
              new WatchEvent.Put(new Entry(key("c"), bytes("c1"), revs.get(1)), true),
              new WatchEvent.Deleted(key("b"), revs.get(2)));
      assertThat(seenAtFirstEvent).containsExactly("a=a2", "c=c1");
    }
  }

  @Test
  void concurrentCommitsOfTwoCountersAreExactAndNeverSeenApart() throws Exception {
    assumeMultiWriteCommits(2);
    int threads = 6;
    int increments = 25;
    await(
        store.commit(
            List.of(
                new Write.Create(key("x"), bytes("0")), new Write.Create(key("y"), bytes("0")))));
    AtomicInteger conflicts = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    List<String> torn = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicInteger snapshots = new AtomicInteger();
    Thread reader =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (!stop.get()) {
                    Listing l = await(store.list(kind));
                    if (l.entries().size() != 2
                        || !text(l.entries().get(0)).equals(text(l.entries().get(1)))) {
                      torn.add(l.revision() + ": " + l.entries());
                    }
                    snapshots.incrementAndGet();
                  }
                });
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      CompletableFuture<Void> f = new CompletableFuture<>();
      done.add(f);
      Thread.ofPlatform()
          .start(
              () -> {
                try {
                  go.await();
                  for (int i = 0; i < increments; ) {
                    Entry x = await(store.get(key("x"))).orElseThrow();
                    Entry y = await(store.get(key("y"))).orElseThrow();
                    String next = "" + (Integer.parseInt(text(x)) + 1);
                    try {
                      await(
                          store.commit(
                              List.of(
                                  new Write.Update(key("x"), bytes(next), x.revision()),
                                  new Write.Update(key("y"), bytes(next), y.revision()))));
                      i++;
                    } catch (DatastoreException.Conflict c) {
                      conflicts.incrementAndGet();
                    }
                  }
                  f.complete(null);
                } catch (Throwable e) {
                  f.completeExceptionally(e);
                }
              });
    }
    go.countDown();
    try {
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(50, TimeUnit.SECONDS);
    } finally {
      stop.set(true);
      reader.join(Duration.ofSeconds(20));
    }
    String expected = "" + threads * increments;
    assertThat(text(await(store.get(key("x"))).orElseThrow()))
        .as("x after %d x %d commits (%d conflicts)", threads, increments, conflicts.get())
        .isEqualTo(expected);
    assertThat(text(await(store.get(key("y"))).orElseThrow())).isEqualTo(expected);
    assertThat(torn).as("list snapshots (of %d) with x != y", snapshots.get()).isEmpty();
  }

  @Test
  void commitTakesUpToTheOpLimitAndRejectsMoreEmptyOrDuplicateKeys() throws Exception {
    int max = store.maxOpsPerCommit();
    assertThat(max).isPositive();
    List<Write> full = new ArrayList<>();
    for (int i = 0; i < max; i++) full.add(new Write.Create(key("k" + i), bytes("" + i)));
    assertThat(await(store.commit(full))).hasSize(max);
    assertThat(await(store.list(kind)).entries()).hasSize(max);

    List<Write> tooMany = new ArrayList<>();
    for (int i = 0; i <= max; i++) tooMany.add(new Write.Create(key("m" + i), bytes("" + i)));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.commit(tooMany))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(String.valueOf(max + 1))
        .hasMessageContaining("limit of " + max);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.commit(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no writes");
    if (max >= 2) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  store.commit(
                      List.of(
                          new Write.Create(key("d"), bytes("1")), new Write.Delete(key("d"), 1))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("written twice");
    }
    assertThat(await(store.list(kind)).entries()).hasSize(max);
  }

  @Test
  void commitOfOneWriteActsLikeTheSingleKeyCall() throws Exception {
    // The only commit a backend without transactions (Kubernetes: maxOpsPerCommit 1) takes.
    long created = await(store.commit(List.of(new Write.Create(key("a"), bytes("1"))))).getFirst();
    assertThat(await(store.get(key("a")))).contains(new Entry(key("a"), bytes("1"), created));
    long updated =
        await(store.commit(List.of(new Write.Update(key("a"), bytes("2"), created)))).getFirst();
    assertThat(updated).isGreaterThan(created);
    DatastoreException stale =
        failure(store.commit(List.of(new Write.Update(key("a"), bytes("3"), created))));
    assertThat(stale).isInstanceOf(DatastoreException.Conflict.class);
    assertThat(((DatastoreException.Conflict) stale).current())
        .contains(new Entry(key("a"), bytes("2"), updated));
    assertThat(failure(store.commit(List.of(new Write.Create(key("a"), bytes("x"))))))
        .isInstanceOf(DatastoreException.AlreadyExists.class);
    assertThat(failure(store.commit(List.of(new Write.Delete(key("none"), 1)))))
        .isInstanceOf(DatastoreException.NotFound.class);
    long deleted = await(store.commit(List.of(new Write.Delete(key("a"), updated)))).getFirst();
    assertThat(deleted).isGreaterThan(updated);
    assertThat(await(store.get(key("a")))).isEmpty();
  }

  /** Skips a test of atomic multi-write commits on a backend that has none (maxOpsPerCommit 1). */
  private void assumeMultiWriteCommits(int writes) {
    assumeTrue(
        store.maxOpsPerCommit() >= writes,
        "backend takes "
            + store.maxOpsPerCommit()
            + " write(s) per commit; the test needs "
            + writes);
  }

  // --- restart --------------------------------------------------------------------------------

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void restartMidRunLosesNoAcknowledgedWriteAndTheWatchResumesWithoutGap() throws Exception {
    long start = await(store.list(kind)).revision();
    EventRecorder rec = new EventRecorder();
    Watch[] watch = {store.watch(kind, start, rec)};
    Map<Key, Long> acked = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong unavailable = new AtomicLong();
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      int id = t;
      writers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = 0; !stop.get() && i < 10_000; i++) {
                      Key k = key("w" + id + "-" + i);
                      createRetrying(k, acked, unavailable, stop);
                    }
                  }));
    }
    try {
      awaitSize(acked, 30);
      if (!restartBackend()) {
        stop.set(true);
        assumeTrue(false, "backend cannot be restarted");
      }
      if (watchEnded(rec)) fail("watch ended across the restart: " + rec.events());
      int before = acked.size();
      if (watch[0] != null && storeReplaced) {
        // The old instance died with its process: resume from the last delivered revision.
        watch[0].close();
        watch[0] = store.watch(kind, rec.lastRevision(start), rec);
      }
      awaitSize(acked, before + 30);
    } finally {
      stop.set(true);
      for (Thread t : writers) t.join(WAIT.toMillis());
    }
    try {
      Listing end = retry(() -> store.list(kind));
      Map<Key, Long> stored = new HashMap<>();
      for (Entry e : end.entries()) stored.put(e.key(), e.revision());
      // Only creates happen, so every acknowledged create is stored at exactly its revision.
      for (Map.Entry<Key, Long> a : acked.entrySet()) {
        assertThat(stored.get(a.getKey())).as("acknowledged write %s", a).isEqualTo(a.getValue());
      }
      long last = stored.values().stream().mapToLong(Long::longValue).max().orElseThrow();
      List<WatchEvent> events = rec.awaitRevision(last, WAIT);
      assertStrictlyIncreasing(events);
      Map<Key, Long> watched = new HashMap<>();
      for (WatchEvent e : events) {
        assertThat(e).isInstanceOf(WatchEvent.Put.class);
        watched.put(((WatchEvent.Put) e).entry().key(), e.revision());
      }
      // No gap, no phantom: the watch saw exactly the objects that exist.
      assertThat(watched).isEqualTo(stored);
    } finally {
      watch[0].close();
    }
  }

  /** Set by {@link #restartBackend()} implementations that replaced {@link #store}. */
  protected volatile boolean storeReplaced;

  private void createRetrying(
      Key k, Map<Key, Long> acked, AtomicLong unavailable, AtomicBoolean stop) {
    for (int attempt = 0; attempt < 200 && !stop.get(); attempt++) {
      try {
        acked.put(k, await(store.create(k, bytes("v"))).revision());
        return;
      } catch (DatastoreException.Unavailable e) {
        // Maybe applied, maybe not: the next attempt tells (AlreadyExists = it landed).
        unavailable.incrementAndGet();
        sleep(50);
      } catch (DatastoreException.AlreadyExists e) {
        return; // an earlier, unacknowledged attempt landed; the final check covers it
      }
    }
  }

  private static boolean watchEnded(EventRecorder rec) {
    return rec.events().stream().anyMatch(e -> e instanceof WatchEvent.ResyncNeeded);
  }

  private void awaitSize(Map<?, ?> map, int n) {
    long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    while (map.size() < n) {
      if (System.nanoTime() > deadline) fail("only " + map.size() + " of " + n + " writes acked");
      sleep(10);
    }
  }

  // --- helpers --------------------------------------------------------------------------------

  protected Key key(String name) {
    return new Key(kind, name);
  }

  protected static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  protected static String text(Entry e) {
    return new String(e.value(), UTF_8);
  }

  private long currentRevision(Key k) {
    return await(store.get(k)).map(Entry::revision).orElse(1L);
  }

  private static long maxRevisionOfKind(Listing end, Listing start) {
    // Deletes leave no entry: fall back on the list revision, which bounds every change.
    return Math.max(
        end.entries().stream().mapToLong(Entry::revision).max().orElse(0), start.revision());
  }

  /** The value, or the DatastoreException the future failed with, thrown as is. */
  protected static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DatastoreException d) throw d;
      throw new AssertionError("operation failed with a non-datastore exception", e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("operation did not complete within " + WAIT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The DatastoreException the future fails with; fails the test if it succeeds. */
  protected static DatastoreException failure(CompletableFuture<?> f) {
    try {
      Object v = await(f);
      throw new AssertionError("expected a failure, got " + v);
    } catch (DatastoreException e) {
      return e;
    }
  }

  /** Retries an operation that fails with Unavailable while the backend comes back. */
  protected static <T> T retry(java.util.function.Supplier<CompletableFuture<T>> op) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        return await(op.get());
      } catch (DatastoreException.Unavailable e) {
        if (System.nanoTime() > deadline) throw e;
        sleep(100);
      }
    }
  }

  private static void assertStrictlyIncreasing(List<WatchEvent> events) {
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).revision())
          .as("event %d (%s) after %s", i, events.get(i), events.get(i - 1))
          .isGreaterThan(events.get(i - 1).revision());
    }
  }

  protected static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
