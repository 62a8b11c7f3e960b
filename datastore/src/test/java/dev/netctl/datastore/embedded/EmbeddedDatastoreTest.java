package dev.netctl.datastore.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.EventRecorder;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.WatchEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What only the embedded store promises: one file shared by instances and processes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedDatastoreTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String KIND = "Widget";

  @TempDir Path dir;

  private Path file() {
    return dir.resolve("netctl.db");
  }

  @Test
  void twoInstancesOnOneFileSeeEachOthersWritesAndWatchEvents() {
    try (EmbeddedDatastore a = new EmbeddedDatastore(file());
        EmbeddedDatastore b = new EmbeddedDatastore(file())) {
      EventRecorder seenByB = new EventRecorder();
      try (Watch w = b.watch(KIND, 0, seenByB)) {
        Entry x = a.create(new Key(KIND, "x"), bytes("1")).join();
        assertThat(b.get(new Key(KIND, "x")).join()).contains(x);
        Entry y = b.update(new Key(KIND, "x"), bytes("2"), x.revision()).join();
        // a's stale CAS loses against b's write: the lock and the revision are the file's.
        assertThatThrownBy(() -> a.update(new Key(KIND, "x"), bytes("3"), x.revision()).join())
            .hasCauseInstanceOf(DatastoreException.Conflict.class);
        assertThat(seenByB.awaitRevision(y.revision(), WAIT))
            .containsExactly(new WatchEvent.Put(x, true), new WatchEvent.Put(y, false));
      }
    }
  }

  @Test
  void compareAndSwapIsExactAcrossInstancesOnOneFile() throws Exception {
    int perInstanceThreads = 4;
    int increments = 25;
    try (EmbeddedDatastore a = new EmbeddedDatastore(file());
        EmbeddedDatastore b = new EmbeddedDatastore(file())) {
      Key counter = new Key(KIND, "counter");
      a.create(counter, bytes("0")).join();
      List<CompletableFuture<Void>> runs = new ArrayList<>();
      for (EmbeddedDatastore s : List.of(a, b)) {
        for (int t = 0; t < perInstanceThreads; t++) {
          runs.add(
              CompletableFuture.runAsync(
                  () -> {
                    Entry cur = s.get(counter).join().orElseThrow();
                    for (int i = 0; i < increments; ) {
                      int n = Integer.parseInt(new String(cur.value(), UTF_8));
                      try {
                        cur = s.update(counter, bytes("" + (n + 1)), cur.revision()).join();
                        i++;
                      } catch (java.util.concurrent.CompletionException e) {
                        cur = ((DatastoreException.Conflict) e.getCause()).current().orElseThrow();
                      }
                    }
                  },
                  Thread::startVirtualThread));
        }
      }
      CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(50, TimeUnit.SECONDS);
      assertThat(new String(b.get(counter).join().orElseThrow().value(), UTF_8))
          .isEqualTo("" + 2 * perInstanceThreads * increments);
    }
  }

  @Test
  void anotherWritersChangeOfTheFileWakesAWatchBeforeItsNextPoll() throws Exception {
    // A poll interval no test waits out: only the file's change notification can deliver this.
    var hourly = new EmbeddedDatastore.Options(Duration.ofHours(1), 100, Duration.ofSeconds(5));
    try (EmbeddedDatastore watching = new EmbeddedDatastore(file(), hourly);
        EmbeddedDatastore writing = new EmbeddedDatastore(file())) {
      EventRecorder rec = new EventRecorder();
      try (Watch w = watching.watch(KIND, 0, rec)) {
        Entry written = writing.create(new Key(KIND, "from-elsewhere"), bytes("1")).join();
        List<WatchEvent> seen = rec.awaitRevision(written.revision(), WAIT);
        assertThat(seen)
            .extracting(e -> ((WatchEvent.Put) e).entry().key().name())
            .containsExactly("from-elsewhere");
      }
    }
  }

  @Test
  void writesOfAnotherProcessAreSeenByGetAndWatch() throws Exception {
    try (EmbeddedDatastore store = new EmbeddedDatastore(file())) {
      EventRecorder rec = new EventRecorder();
      try (Watch w = store.watch(KIND, 0, rec)) {
        Process child = writer("child", 20);
        try {
          Map<String, Long> acked = readAcks(child, Integer.MAX_VALUE);
          assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
          assertThat(child.exitValue()).isZero();
          assertThat(acked).hasSize(20);
          long last = acked.values().stream().mapToLong(Long::longValue).max().orElseThrow();
          Map<String, Long> watched = new LinkedHashMap<>();
          for (WatchEvent e : rec.awaitRevision(last, WAIT)) {
            watched.put(((WatchEvent.Put) e).entry().key().name(), e.revision());
          }
          assertThat(watched).isEqualTo(acked);
          for (var a : acked.entrySet()) {
            assertThat(store.get(new Key(KIND, a.getKey())).join().orElseThrow().revision())
                .isEqualTo(a.getValue());
          }
        } finally {
          child.destroyForcibly();
        }
      }
    }
  }

  @Test
  void aWriterKilledWithSigkillMidRunLosesNoAcknowledgedWrite() throws Exception {
    // The parent writes too, so the child competes for the file lock while it dies.
    try (EmbeddedDatastore parent = new EmbeddedDatastore(file())) {
      Process child = writer("doomed", -1);
      Map<String, Long> acked;
      try {
        CompletableFuture<Void> parentWrites =
            CompletableFuture.runAsync(
                () -> {
                  for (int i = 0; i < 50; i++) {
                    parent.create(new Key(KIND, "parent-" + i), bytes("p")).join();
                  }
                });
        acked = readAcks(child, 150);
        // SIGKILL, no shutdown hook, no close. Through the handle, so the pipe stays readable.
        child.toHandle().destroyForcibly();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        // Lines the child printed before dying are acknowledged writes too.
        acked.putAll(readAcks(child, Integer.MAX_VALUE));
        parentWrites.get(30, TimeUnit.SECONDS);
      } finally {
        child.destroyForcibly();
      }
      assertThat(acked).hasSizeGreaterThanOrEqualTo(150);
      try (EmbeddedDatastore reopened = new EmbeddedDatastore(file())) {
        Map<String, Long> stored = new HashMap<>();
        for (Entry e : reopened.list(KIND, "doomed-").join().entries()) {
          stored.put(e.key().name(), e.revision());
        }
        for (var a : acked.entrySet()) {
          assertThat(stored.get(a.getKey())).as("acknowledged %s", a).isEqualTo(a.getValue());
        }
        // The dead writer left no lock behind.
        assertThat(reopened.create(new Key(KIND, "after"), bytes("x")).join().revision())
            .isGreaterThan(stored.values().stream().mapToLong(Long::longValue).max().orElse(0));
      }
    }
  }

  @Test
  void theEventLogIsTrimmedBeyondItsBoundAndOlderWatchesGetResyncNeeded() {
    var options = new EmbeddedDatastore.Options(Duration.ofMillis(20), 10, Duration.ofSeconds(5));
    try (EmbeddedDatastore store = new EmbeddedDatastore(file(), options)) {
      Entry last = null;
      for (int i = 0; i < 30; i++) last = store.create(new Key(KIND, "k" + i), bytes("v")).join();
      EventRecorder old = new EventRecorder();
      EventRecorder recent = new EventRecorder();
      try (Watch w1 = store.watch(KIND, 0, old);
          Watch w2 = store.watch(KIND, last.revision() - 5, recent)) {
        assertThat(old.awaitCount(1, WAIT).getFirst()).isInstanceOf(WatchEvent.ResyncNeeded.class);
        List<WatchEvent> events = recent.awaitRevision(last.revision(), WAIT);
        assertThat(events).hasSize(5);
        assertThat(events.getFirst().revision()).isEqualTo(last.revision() - 4);
      }
    }
  }

  @Test
  void onlyAWatchStartsThePollerThreadAndCloseEndsIt() {
    List<Thread> before = pollerThreads();
    try (EmbeddedDatastore store = new EmbeddedDatastore(file())) {
      Entry x = store.create(new Key(KIND, "x"), bytes("1")).join();
      assertThat(store.get(new Key(KIND, "x")).join()).contains(x);
      assertThat(store.list(KIND, "").join().entries()).containsExactly(x);
      // A CLI command reads or writes once and exits: it must not pay for a polling thread.
      assertThat(pollerThreads()).containsExactlyInAnyOrderElementsOf(before);

      EventRecorder seen = new EventRecorder();
      try (Watch w = store.watch(KIND, 0, seen)) {
        assertThat(seen.awaitRevision(x.revision(), WAIT))
            .containsExactly(new WatchEvent.Put(x, true));
        assertThat(pollerThreads()).hasSize(before.size() + 1);
      }
    }
    assertThat(pollerThreads()).containsExactlyInAnyOrderElementsOf(before);
  }

  private static List<Thread> pollerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("netctl-embedded-poller") && t.isAlive())
        .toList();
  }

  @Test
  void createsTheParentDirectoryOfItsFile() {
    Path nested = dir.resolve("a/b/c/netctl.db");
    try (EmbeddedDatastore store = new EmbeddedDatastore(nested)) {
      store.create(new Key(KIND, "x"), bytes("1")).join();
    }
    assertThat(nested).isRegularFile();
  }

  @Test
  void anUnusablePathFailsWithUnavailableNamingIt() throws IOException {
    Path blocker = Files.writeString(dir.resolve("not-a-dir"), "x");
    Path under = blocker.resolve("netctl.db");
    assertThatThrownBy(() -> new EmbeddedDatastore(under))
        .isInstanceOf(DatastoreException.Unavailable.class)
        .hasMessageContaining(under.toString());

    Path notSqlite = Files.writeString(dir.resolve("garbage.db"), "this is not a database file");
    assertThatThrownBy(() -> new EmbeddedDatastore(notSqlite))
        .isInstanceOf(DatastoreException.Unavailable.class)
        .hasMessageContaining(notSqlite.toString());
  }

  // --- child process ------------------------------------------------------------------------

  private Process writer(String prefix, int count) throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    return new ProcessBuilder(
            java,
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            EmbeddedWriterMain.class.getName(),
            file().toString(),
            KIND,
            prefix,
            "" + count)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  private final Map<Process, BufferedReader> readers = new HashMap<>();

  /** Reads {@code ack name revision} lines until {@code n} were read or the stream ended. */
  private Map<String, Long> readAcks(Process child, int n) throws IOException {
    BufferedReader in =
        readers.computeIfAbsent(
            child, c -> new BufferedReader(new InputStreamReader(c.getInputStream(), UTF_8)));
    Map<String, Long> acked = new LinkedHashMap<>();
    String line;
    while (acked.size() < n && (line = in.readLine()) != null) {
      if (!line.startsWith("ack ")) continue;
      String[] parts = line.split(" ");
      acked.put(parts[1], Long.parseLong(parts[2]));
    }
    return acked;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
