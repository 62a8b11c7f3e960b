package dev.netctl.datastore.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connection settings the durability and multi-process promises rest on. A SIGKILL test cannot
 * tell a missing fsync (the OS page cache survives a killed process), so check the pragmas
 * themselves.
 */
class SqliteFileTest {
  @TempDir Path dir;

  @Test
  void connectionsUseWalFullSyncAndTheBusyTimeout() throws Exception {
    SqliteFile file = new SqliteFile(dir.resolve("x.db"), Duration.ofMillis(1234));
    file.initialize();
    try (Connection c = file.open();
        Statement st = c.createStatement()) {
      assertThat(pragma(st, "journal_mode")).isEqualTo("wal");
      assertThat(pragma(st, "synchronous")).isEqualTo("2"); // FULL
      assertThat(pragma(st, "busy_timeout")).isEqualTo("1234");
    }
  }

  @Test
  void initializeIsIdempotentAndStartsRevisionsAtZero() throws Exception {
    SqliteFile file = new SqliteFile(dir.resolve("x.db"), Duration.ofSeconds(1));
    file.initialize();
    file.initialize();
    try (Connection c = file.open();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT k, v FROM meta ORDER BY k")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1) + "=" + rs.getLong(2)).isEqualTo("compacted=0");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1) + "=" + rs.getLong(2)).isEqualTo("revision=0");
      assertThat(rs.next()).isFalse();
    }
  }

  private static String pragma(Statement st, String name) throws Exception {
    try (ResultSet rs = st.executeQuery("PRAGMA " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
