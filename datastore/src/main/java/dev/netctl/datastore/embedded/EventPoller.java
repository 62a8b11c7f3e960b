package dev.netctl.datastore.embedded;

import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.WatchDelivery;
import dev.netctl.datastore.WatchEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread per store that turns the event log into watch events.
 *
 * <p>Watches must see writes made by other processes on the same file, which no in-process
 * notification can tell about, so the poller reads the log: every poll interval it reads the head
 * revision and, when it moved, the new events of each watched kind. A local write wakes it at once,
 * and so does a change of the file by another process where the file system notifies ({@link
 * FileChangeWakeup}). Each poll runs in one read transaction, so the trimmed point it checks and
 * the events it reads come from the same snapshot: a watch is either served completely or told to
 * resync, never given a history with a hole.
 */
final class EventPoller {
  private static final Logger log = LoggerFactory.getLogger(EventPoller.class);
  private static final int BATCH = 2000;

  private final SqliteFile file;
  private final Duration interval;
  private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
  private final Semaphore wake = new Semaphore(0);
  private final Thread thread;
  private volatile boolean stopped;
  private boolean started;
  private FileChangeWakeup fileWakeup;
  private Connection connection;

  /** One registered watch; {@code position} is the last revision it has been given. */
  static final class Watcher {
    final String kind;
    final WatchDelivery delivery;
    long position;

    Watcher(String kind, long afterRevision, WatchDelivery delivery) {
      this.kind = kind;
      this.position = afterRevision;
      this.delivery = delivery;
    }
  }

  EventPoller(SqliteFile file, Duration interval) {
    this.file = file;
    this.interval = interval;
    this.thread = Thread.ofPlatform().daemon().name("netctl-embedded-poller").unstarted(this::run);
  }

  /** Starts the polling thread unless it runs already or the poller was stopped. */
  synchronized void start() {
    if (!started && !stopped) {
      thread.start();
      fileWakeup = FileChangeWakeup.start(file.path(), this::wake);
      started = true;
    }
  }

  void add(Watcher w) {
    watchers.add(w);
    wake();
  }

  void remove(Watcher w) {
    watchers.remove(w);
  }

  /** Called after a local commit so local watches do not wait for the next poll. */
  void wake() {
    wake.release();
  }

  /** Stops polling and ends every watch: the store is closing. */
  void stop() {
    boolean running;
    synchronized (this) {
      stopped = true; // under the lock, so a racing start() cannot start the thread after this
      running = started;
      if (fileWakeup != null) fileWakeup.close();
    }
    wake.release();
    try {
      if (running) thread.join(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Watcher w : watchers) w.delivery.close();
    watchers.clear();
  }

  private void run() {
    try {
      while (!stopped) {
        wake.tryAcquire(interval.toMillis(), TimeUnit.MILLISECONDS);
        wake.drainPermits();
        if (stopped) break;
        if (watchers.isEmpty()) continue;
        try {
          poll();
        } catch (SQLException e) {
          // A busy or vanished file is retried on the next tick; closing the connection makes the
          // next tick reopen it, which also recovers from a file replaced under us.
          log.warn("polling the event log of {} failed; retrying", file.path(), e);
          closeConnection();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeConnection();
    }
  }

  private void poll() throws SQLException {
    if (connection == null) connection = file.open();
    try (Statement st = connection.createStatement()) {
      st.execute("BEGIN");
      try {
        pollInSnapshot();
      } finally {
        st.execute("COMMIT");
      }
    }
  }

  private void pollInSnapshot() throws SQLException {
    long head = 0;
    long compacted = 0;
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SELECT k, v FROM meta")) {
      while (rs.next()) {
        if (rs.getString(1).equals("revision")) head = rs.getLong(2);
        if (rs.getString(1).equals("compacted")) compacted = rs.getLong(2);
      }
    }
    Map<String, List<Watcher>> behind = new HashMap<>();
    for (Watcher w : watchers) {
      if (w.delivery.isEnded()) {
        watchers.remove(w);
      } else if (w.position < compacted) {
        w.delivery.offer(
            new WatchEvent.ResyncNeeded(
                head,
                "events up to revision "
                    + compacted
                    + " were trimmed from "
                    + file.path()
                    + "; watch started after "
                    + w.position));
        watchers.remove(w);
      } else if (w.position < head) {
        behind.computeIfAbsent(w.kind, k -> new ArrayList<>()).add(w);
      }
    }
    for (Map.Entry<String, List<Watcher>> e : behind.entrySet()) {
      catchUp(e.getKey(), e.getValue(), head);
    }
  }

  private void catchUp(String kind, List<Watcher> group, long head) throws SQLException {
    long from = Long.MAX_VALUE;
    for (Watcher w : group) from = Math.min(from, w.position);
    List<WatchEvent> events = new ArrayList<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT revision, name, type, value FROM events"
                + " WHERE kind = ? AND revision > ? AND revision <= ? ORDER BY revision LIMIT ?")) {
      ps.setString(1, kind);
      ps.setLong(2, from);
      ps.setLong(3, head);
      ps.setInt(4, BATCH);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long rev = rs.getLong(1);
          Key key = new Key(kind, rs.getString(2));
          int type = rs.getInt(3);
          events.add(
              type == SqliteFile.DELETED
                  ? new WatchEvent.Deleted(key, rev)
                  : new WatchEvent.Put(
                      new Entry(key, rs.getBytes(4), rev), type == SqliteFile.CREATED));
        }
      }
    }
    // A full batch may stop short of head: advance only to what was read, the next tick goes on.
    long reached = events.size() == BATCH ? events.getLast().revision() : head;
    if (events.size() == BATCH) wake();
    for (Watcher w : group) {
      for (WatchEvent ev : events) {
        if (ev.revision() > w.position) w.delivery.offer(ev);
      }
      w.position = Math.max(w.position, reached);
    }
  }

  private void closeConnection() {
    if (connection == null) return;
    try {
      connection.close();
    } catch (SQLException e) {
      log.debug("closing poller connection of {}", file.path(), e);
    }
    connection = null;
  }
}
