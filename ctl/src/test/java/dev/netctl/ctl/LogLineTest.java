package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogLineTest {
  @Test
  void aRecordIsOneLineWithTheTimeInUtcTheLevelTheLoggerAndTheMessage() {
    LogRecord r = new LogRecord(Level.WARNING, "peer {0}: {1}");
    r.setParameters(new Object[] {"fd00::1", "hold timer expired"});
    r.setLoggerName("dev.netctl.bgp.session.PeerSession");
    r.setInstant(Instant.parse("2026-12-06T09:05:01.007Z"));
    assertThat(new LogLine().format(r))
        .isEqualTo(
            "2026-12-06T09:05:01.007Z WARNING dev.netctl.bgp.session.PeerSession: peer fd00::1:"
                + " hold timer expired"
                + System.lineSeparator());
  }

  @Test
  void theTimeIsPaddedAndInUtcWhateverTheDefaultZone() {
    StringBuilder b = new StringBuilder();
    LogLine.timestamp(b, Instant.parse("0999-01-02T03:04:05.060Z").toEpochMilli());
    assertThat(b).hasToString("0999-01-02T03:04:05.060Z");
    b.setLength(0);
    LogLine.timestamp(b, 0);
    assertThat(b).hasToString("1970-01-01T00:00:00.000Z");
  }

  @Test
  void anExceptionFollowsWithItsStackTrace() {
    LogRecord r = new LogRecord(Level.SEVERE, "FSM failed");
    r.setLoggerName("x");
    r.setThrown(new IllegalStateException("boom"));
    String text = new LogLine().format(r);
    assertThat(text)
        .containsPattern("^\\d{4}-\\d\\d-\\d\\dT")
        .contains(" SEVERE x: FSM failed" + System.lineSeparator());
    assertThat(text).contains("java.lang.IllegalStateException: boom").contains("\tat ");
  }
}
