package dev.netctl.datastore.embedded;

import dev.netctl.datastore.DatastoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteJDBCLoader;

/**
 * Opens connections to the store's sqlite file with the settings every connection needs, and
 * creates the schema.
 *
 * <p>Schema (the shape kine gives k3s): {@code meta} holds the store-wide {@code revision} counter
 * and {@code compacted}, the highest revision whose event was trimmed; {@code objects} holds the
 * current value of each key with its mod and create revisions; {@code events} is the change log
 * watches read, one row per revision.
 */
final class SqliteFile {
  static final String SCHEMA =
      """
      CREATE TABLE IF NOT EXISTS meta (
        k TEXT PRIMARY KEY,
        v INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS objects (
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        value BLOB NOT NULL,
        mod_revision INTEGER NOT NULL,
        create_revision INTEGER NOT NULL,
        PRIMARY KEY (kind, name)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS events (
        revision INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        type INTEGER NOT NULL,
        value BLOB
      );
      CREATE INDEX IF NOT EXISTS events_by_kind ON events (kind, revision);
      INSERT OR IGNORE INTO meta (k, v) VALUES ('revision', 0), ('compacted', 0);
      """;

  /** Event row types. */
  static final int CREATED = 0;

  static final int UPDATED = 1;
  static final int DELETED = 2;

  private final Path path;
  private final String url;
  private final Duration busyTimeout;

  SqliteFile(Path path, Duration busyTimeout) {
    this.path = path.toAbsolutePath();
    this.url = "jdbc:sqlite:" + this.path;
    this.busyTimeout = busyTimeout;
  }

  Path path() {
    return path;
  }

  /** Creates the parent directory and the schema; fails with Unavailable naming the path. */
  void initialize() {
    Path parent = path.getParent();
    try {
      if (parent != null) Files.createDirectories(parent);
    } catch (IOException e) {
      throw unavailable("cannot create directory " + parent + ": " + e, e);
    }
    try (Connection c = open();
        Statement st = c.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      try {
        for (String sql : SCHEMA.split(";")) {
          if (!sql.isBlank()) st.execute(sql);
        }
        st.execute("COMMIT");
      } catch (SQLException e) {
        st.execute("ROLLBACK");
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable("cannot open database file: " + e.getMessage(), e);
    }
  }

  /**
   * A new connection: WAL so readers never block the writer (and other processes can read while one
   * writes), synchronous=FULL so a commit is on disk before it is acknowledged, and a busy timeout
   * so writers of several processes queue instead of failing.
   */
  Connection open() throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout((int) busyTimeout.toMillis());
    return config.createConnection(url);
  }

  /**
   * Loads the sqlite driver, its native library and its connection settings classes without opening
   * anything; failures are left for {@link #open} to report.
   */
  static void loadDriver() {
    try {
      SQLiteJDBCLoader.initialize();
      new SQLiteConfig();
    } catch (Exception | LinkageError e) {
      // open() reports the same problem with the store's path in the message.
    }
  }

  DatastoreException.Unavailable unavailable(String message, Throwable cause) {
    return new DatastoreException.Unavailable(path.toString(), message, cause);
  }
}
