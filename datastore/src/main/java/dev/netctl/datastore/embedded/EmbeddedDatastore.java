package dev.netctl.datastore.embedded;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Listing;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.WatchDelivery;
import dev.netctl.datastore.WatchEvent;
import dev.netctl.datastore.Write;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The default datastore: one sqlite file on local disk, shared by every netctl process of the host
 * (CLI and agent).
 *
 * <p>Guarantees and why they hold:
 *
 * <ul>
 *   <li><b>Durable acknowledged writes.</b> The file is in WAL mode with {@code synchronous=FULL}:
 *       a write's future completes only after its transaction's commit record is fsynced to the
 *       WAL, so neither a killed process nor a power loss loses it.
 *   <li><b>One revision order across processes.</b> Every write runs in a {@code BEGIN IMMEDIATE}
 *       transaction, which takes sqlite's single write lock before reading anything; it reads the
 *       stored {@code revision}, checks the compare-and-swap condition and commits revision + 1.
 *       Writers of all processes are thus serialized by the file lock (they queue for up to the
 *       busy timeout), so revisions are strictly increasing and CAS is exact.
 *   <li><b>Consistent lists.</b> A list reads the revision counter and the objects in one read
 *       transaction, i.e. one WAL snapshot; readers never wait for the writer.
 *   <li><b>Watches across processes.</b> Each write appends (revision, kind, name, type, value) to
 *       an event log in the same transaction; one poller thread per store reads it (see {@link
 *       EventPoller}), so a watch sees writes of other processes within one poll interval, in
 *       revision order, each exactly once.
 *   <li><b>Bounded history.</b> The log keeps the last {@link Options#retainedEvents} events; a
 *       watch starting before the trimmed point, or falling behind it, gets {@link
 *       WatchEvent.ResyncNeeded}.
 * </ul>
 *
 * <p>Not given: sharing the file between hosts (sqlite locking over network file systems is
 * unreliable) — use etcd for several nodes.
 */
public final class EmbeddedDatastore implements Datastore {

  /**
   * Tuning knobs.
   *
   * @param pollInterval how often the poller looks for writes of other processes
   * @param retainedEvents how many of the newest events the log keeps for watches
   * @param busyTimeout how long a write waits for another process holding the write lock
   */
  public record Options(Duration pollInterval, int retainedEvents, Duration busyTimeout) {
    /**
     * 10 ms polls, 10,000 events of history, 10 s busy timeout. Another process's write wakes the
     * watches through the file's change notification ({@link FileChangeWakeup}), but that wake can
     * come before the commit is visible, and then the poll finds it: on a loaded machine 25 ms
     * polls gave a node agent a slower block change (p50 1.25× in docs/benchmarks.md, issue 10
     * follow-up, session 7) for about 0.6 % of a core saved while idle. An idle poll is one read of
     * the meta table; the poller runs only while something watches.
     */
    public static final Options DEFAULT =
        new Options(Duration.ofMillis(10), 10_000, Duration.ofSeconds(10));

    public Options {
      if (pollInterval.isNegative() || pollInterval.isZero()) {
        throw new IllegalArgumentException("pollInterval must be positive: " + pollInterval);
      }
      if (retainedEvents < 1) {
        throw new IllegalArgumentException("retainedEvents must be >= 1: " + retainedEvents);
      }
    }
  }

  private final SqliteFile file;
  private final Options options;
  private final EventPoller poller;
  // One writer thread and connection: sqlite has one write lock anyway, and a single thread
  // needs no Java lock around the transaction.
  private final ExecutorService writer;
  private final ExecutorService readers;
  private final ThreadLocal<Connection> readerConnection = new ThreadLocal<>();
  private final List<Connection> connections = new ArrayList<>();
  private Connection writeConnection;
  private volatile boolean closed;

  /** Opens (creating if needed) the store at {@code file} with default options. */
  public EmbeddedDatastore(Path file) {
    this(file, Options.DEFAULT);
  }

  /**
   * Opens (creating the file and its directory if needed) the store at {@code file}.
   *
   * @throws DatastoreException.Unavailable naming the path when it cannot be opened
   */
  public EmbeddedDatastore(Path file, Options options) {
    this.file = new SqliteFile(file, options.busyTimeout());
    this.options = options;
    this.file.initialize();
    this.writer =
        Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("netctl-embedded-writer").factory());
    this.readers =
        Executors.newFixedThreadPool(
            2, Thread.ofPlatform().daemon().name("netctl-embedded-reader-", 0).factory());
    // The poller starts with the first watch: a command that only reads or writes (every CLI
    // verb) never needs its thread.
    this.poller = new EventPoller(this.file, options.pollInterval());
  }

  /**
   * Loads the sqlite driver and its native library, opening nothing, so that a short-lived caller
   * (the CLI) can do this on another thread while it parses its command line. Safe to call from any
   * thread, any number of times; a later open reports any failure.
   */
  public static void loadDriver() {
    SqliteFile.loadDriver();
  }

  @Override
  public String address() {
    return file.path().toString();
  }

  @Override
  public CompletableFuture<Optional<Entry>> get(Key key) {
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT value, mod_revision FROM objects WHERE kind = ? AND name = ?")) {
            ps.setString(1, key.kind());
            ps.setString(2, key.name());
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next()
                  ? Optional.of(new Entry(key, rs.getBytes(1), rs.getLong(2)))
                  : Optional.empty();
            }
          }
        });
  }

  @Override
  public CompletableFuture<Listing> list(String kind, String namePrefix) {
    return read(
        c -> {
          try (Statement st = c.createStatement()) {
            // One read transaction = one WAL snapshot for both the revision and the objects.
            st.execute("BEGIN");
            try {
              long revision = meta(c, "revision");
              List<Entry> entries = new ArrayList<>();
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT name, value, mod_revision FROM objects"
                          + " WHERE kind = ? AND name >= ? ORDER BY name")) {
                ps.setString(1, kind);
                ps.setString(2, namePrefix);
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    String name = rs.getString(1);
                    if (!name.startsWith(namePrefix)) break;
                    entries.add(new Entry(new Key(kind, name), rs.getBytes(2), rs.getLong(3)));
                  }
                }
              }
              return new Listing(entries, revision);
            } finally {
              st.execute("COMMIT");
            }
          }
        });
  }

  @Override
  public CompletableFuture<Entry> create(Key key, byte[] value) {
    byte[] copy = value.clone();
    return write(
        c -> {
          if (current(c, key) != null) throw new DatastoreException.AlreadyExists(key);
          long rev = nextRevision(c);
          insert(c, key, copy, rev);
          return new Entry(key, copy, rev);
        });
  }

  @Override
  public CompletableFuture<Entry> update(Key key, byte[] value, long expectedRevision) {
    byte[] copy = value.clone();
    return write(
        c -> {
          checkExpected(key, expectedRevision, current(c, key));
          long rev = nextRevision(c);
          replace(c, key, copy, rev);
          return new Entry(key, copy, rev);
        });
  }

  @Override
  public CompletableFuture<Long> delete(Key key, long expectedRevision) {
    return write(
        c -> {
          checkExpected(key, expectedRevision, current(c, key));
          long rev = nextRevision(c);
          remove(c, key, rev);
          return rev;
        });
  }

  /**
   * One sqlite transaction: every condition is checked before anything is written, then each write
   * takes the next revision and logs its own event, so the poller's one event per revision holds
   * and a poll (one snapshot) sees all of the commit's events or none.
   */
  @Override
  public CompletableFuture<List<Long>> commit(List<Write> writes) {
    Write.checkCommit(writes, maxOpsPerCommit(), address());
    List<Write> copy = List.copyOf(writes);
    return write(
        c -> {
          for (Write w : copy) {
            Entry cur = current(c, w.key());
            switch (w) {
              case Write.Create cr -> {
                if (cur != null) throw new DatastoreException.AlreadyExists(cr.key());
              }
              case Write.Update u -> checkExpected(u.key(), u.expectedRevision(), cur);
              case Write.Delete d -> checkExpected(d.key(), d.expectedRevision(), cur);
            }
          }
          List<Long> out = new ArrayList<>(copy.size());
          for (Write w : copy) {
            long rev = nextRevision(c);
            switch (w) {
              case Write.Create cr -> insert(c, cr.key(), cr.value(), rev);
              case Write.Update u -> replace(c, u.key(), u.value(), rev);
              case Write.Delete d -> remove(c, d.key(), rev);
            }
            out.add(rev);
          }
          return out;
        });
  }

  @Override
  public int maxOpsPerCommit() {
    return DEFAULT_MAX_OPS_PER_COMMIT;
  }

  @Override
  public Watch watch(String kind, long afterRevision, Consumer<WatchEvent> listener) {
    EventPoller.Watcher[] self = new EventPoller.Watcher[1];
    WatchDelivery delivery =
        new WatchDelivery(
            kind + " after revision " + afterRevision + " on " + address(),
            listener,
            () -> poller.remove(self[0]));
    self[0] = new EventPoller.Watcher(kind, afterRevision, delivery);
    if (closed) {
      delivery.close();
      return delivery;
    }
    poller.start();
    poller.add(self[0]);
    return delivery;
  }

  /**
   * Drops the logged events up to and including {@code throughRevision}: watches that start at or
   * lag behind an earlier revision get {@link WatchEvent.ResyncNeeded}. The store trims on its own
   * beyond {@link Options#retainedEvents}; this is for operators and tests.
   */
  public CompletableFuture<Void> compact(long throughRevision) {
    return write(
        c -> {
          trimThrough(c, Math.min(throughRevision, meta(c, "revision")));
          return null;
        });
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    poller.stop();
    writer.shutdown();
    readers.shutdown();
    try {
      writer.awaitTermination(30, TimeUnit.SECONDS);
      readers.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (connections) {
      for (Connection c : connections) {
        try {
          c.close();
        } catch (SQLException e) {
          // Closing is best effort: sqlite's WAL is consistent whatever happens here.
        }
      }
      connections.clear();
    }
  }

  // --- transactions -------------------------------------------------------------------------

  /** A unit of work on a connection; may throw a DatastoreException to fail the operation. */
  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> CompletableFuture<T> read(Work<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    try {
      readers.execute(() -> complete(f, () -> work.run(readerConnection())));
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(closedError());
    }
    return f;
  }

  private <T> CompletableFuture<T> write(Work<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    try {
      writer.execute(() -> complete(f, () -> inWriteTransaction(work)));
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(closedError());
    }
    return f;
  }

  /** A call that may fail with SQLException. */
  @FunctionalInterface
  private interface SqlCall<T> {
    T call() throws SQLException;
  }

  private <T> void complete(CompletableFuture<T> f, SqlCall<T> call) {
    if (closed) {
      f.completeExceptionally(closedError());
      return;
    }
    try {
      f.complete(call.call());
    } catch (DatastoreException e) {
      f.completeExceptionally(e);
    } catch (SQLException e) {
      f.completeExceptionally(file.unavailable(e.getMessage(), e));
    } catch (RuntimeException e) {
      f.completeExceptionally(file.unavailable("unexpected failure: " + e, e));
    }
  }

  private <T> T inWriteTransaction(Work<T> work) throws SQLException {
    Connection c = writeConnection();
    try (Statement st = c.createStatement()) {
      // IMMEDIATE takes the file's write lock before the first read, so the CAS check and the
      // write see the same state even with writers in other processes.
      st.execute("BEGIN IMMEDIATE");
      T result;
      try {
        result = work.run(c);
        st.execute("COMMIT");
      } catch (SQLException | RuntimeException e) {
        rollback(st);
        throw e;
      }
      poller.wake();
      return result;
    }
  }

  private static void rollback(Statement st) {
    try {
      st.execute("ROLLBACK");
    } catch (SQLException ignored) {
      // The transaction may already be gone (sqlite rolls back on some errors itself).
    }
  }

  private Connection writeConnection() throws SQLException {
    if (writeConnection == null) writeConnection = track(file.open());
    return writeConnection;
  }

  private Connection readerConnection() throws SQLException {
    Connection c = readerConnection.get();
    if (c == null) {
      c = track(file.open());
      readerConnection.set(c);
    }
    return c;
  }

  private Connection track(Connection c) {
    synchronized (connections) {
      connections.add(c);
    }
    return c;
  }

  private DatastoreException.Unavailable closedError() {
    return file.unavailable("store is closed", null);
  }

  // --- statements ---------------------------------------------------------------------------

  private static long meta(Connection c, String k) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT v FROM meta WHERE k = ?")) {
      ps.setString(1, k);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) throw new SQLException("meta row " + k + " missing: file damaged?");
        return rs.getLong(1);
      }
    }
  }

  private static void setMeta(Connection c, String k, long v) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE meta SET v = ? WHERE k = ?")) {
      ps.setLong(1, v);
      ps.setString(2, k);
      ps.executeUpdate();
    }
  }

  private long nextRevision(Connection c) throws SQLException {
    long rev = meta(c, "revision") + 1;
    setMeta(c, "revision", rev);
    long keepAfter = rev - options.retainedEvents();
    if (keepAfter > 0) trimThrough(c, keepAfter);
    return rev;
  }

  private static void trimThrough(Connection c, long through) throws SQLException {
    if (through <= meta(c, "compacted")) return;
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM events WHERE revision <= ?")) {
      ps.setLong(1, through);
      ps.executeUpdate();
    }
    setMeta(c, "compacted", through);
  }

  private static Entry current(Connection c, Key key) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT value, mod_revision FROM objects WHERE kind = ? AND name = ?")) {
      ps.setString(1, key.kind());
      ps.setString(2, key.name());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new Entry(key, rs.getBytes(1), rs.getLong(2)) : null;
      }
    }
  }

  private static void checkExpected(Key key, long expected, Entry current) {
    if (current == null) throw new DatastoreException.NotFound(key);
    if (current.revision() != expected) {
      throw new DatastoreException.Conflict(key, expected, current);
    }
  }

  private static void insert(Connection c, Key key, byte[] value, long rev) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO objects (kind, name, value, mod_revision, create_revision)"
                + " VALUES (?, ?, ?, ?, ?)")) {
      ps.setString(1, key.kind());
      ps.setString(2, key.name());
      ps.setBytes(3, value);
      ps.setLong(4, rev);
      ps.setLong(5, rev);
      ps.executeUpdate();
    }
    logEvent(c, rev, key, SqliteFile.CREATED, value);
  }

  private static void replace(Connection c, Key key, byte[] value, long rev) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE objects SET value = ?, mod_revision = ? WHERE kind = ? AND name = ?")) {
      ps.setBytes(1, value);
      ps.setLong(2, rev);
      ps.setString(3, key.kind());
      ps.setString(4, key.name());
      ps.executeUpdate();
    }
    logEvent(c, rev, key, SqliteFile.UPDATED, value);
  }

  private static void remove(Connection c, Key key, long rev) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM objects WHERE kind = ? AND name = ?")) {
      ps.setString(1, key.kind());
      ps.setString(2, key.name());
      ps.executeUpdate();
    }
    logEvent(c, rev, key, SqliteFile.DELETED, null);
  }

  private static void logEvent(Connection c, long rev, Key key, int type, byte[] value)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO events (revision, kind, name, type, value) VALUES (?, ?, ?, ?, ?)")) {
      ps.setLong(1, rev);
      ps.setString(2, key.kind());
      ps.setString(3, key.name());
      ps.setInt(4, type);
      ps.setBytes(5, value);
      ps.executeUpdate();
    }
  }
}
