package dev.netctl.ctl;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One line per log record: {@code 2026-12-06T09:30:11.462Z INFO logger: message}, the time in UTC
 * whatever the machine's zone, then the stack trace of an exception if the record has one. Written
 * by hand rather than with {@link java.util.logging.SimpleFormatter}'s format string, which prints
 * local time and, for the zone, loads the JDK's time-zone database into every process that logs.
 */
public final class LogLine extends Formatter {
  @Override
  public String format(LogRecord r) {
    StringBuilder b = new StringBuilder(128);
    timestamp(b, r.getMillis());
    b.append(' ').append(r.getLevel().getName()).append(' ').append(r.getLoggerName());
    b.append(": ").append(formatMessage(r)).append(System.lineSeparator());
    if (r.getThrown() != null) {
      StringWriter trace = new StringWriter();
      r.getThrown().printStackTrace(new PrintWriter(trace));
      b.append(trace);
    }
    return b.toString();
  }

  /** Appends {@code millis} since the epoch as ISO 8601 in UTC with milliseconds. */
  static void timestamp(StringBuilder b, long millis) {
    LocalDateTime t =
        LocalDateTime.ofEpochSecond(
            Math.floorDiv(millis, 1000L),
            (int) Math.floorMod(millis, 1000L) * 1_000_000,
            ZoneOffset.UTC);
    pad(b, t.getYear(), 4).append('-');
    pad(b, t.getMonthValue(), 2).append('-');
    pad(b, t.getDayOfMonth(), 2).append('T');
    pad(b, t.getHour(), 2).append(':');
    pad(b, t.getMinute(), 2).append(':');
    pad(b, t.getSecond(), 2).append('.');
    pad(b, t.getNano() / 1_000_000, 3).append('Z');
  }

  private static StringBuilder pad(StringBuilder b, int value, int width) {
    String digits = Integer.toString(value);
    for (int i = digits.length(); i < width; i++) {
      b.append('0');
    }
    return b.append(digits);
  }
}
