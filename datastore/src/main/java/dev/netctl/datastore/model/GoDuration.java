package dev.netctl.datastore.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * Go's duration text ({@code time.ParseDuration}), which Calico's fields use: a sequence of decimal
 * numbers, each with an optional fraction and a unit, such as {@code 90s}, {@code 2m30s} or {@code
 * 1.5h}; {@code 0} alone needs no unit. Units: {@code ns}, {@code us} (or {@code µs}), {@code ms},
 * {@code s}, {@code m}, {@code h}.
 */
public final class GoDuration {
  private GoDuration() {}

  /**
   * The duration {@code text} stands for.
   *
   * @throws IllegalArgumentException when it is not a Go duration, or is negative
   */
  public static Duration parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    BigDecimal nanos = BigDecimal.ZERO;
    int i = 0;
    while (i < text.length()) {
      int start = i;
      while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
        i++;
      }
      String number = text.substring(start, i);
      int unitStart = i;
      while (i < text.length() && !Character.isDigit(text.charAt(i)) && text.charAt(i) != '.') {
        i++;
      }
      String unit = text.substring(unitStart, i);
      if (number.isEmpty()
          || number.equals(".")
          || number.indexOf('.') != number.lastIndexOf('.')) {
        throw new IllegalArgumentException("not a duration: " + text);
      }
      nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unitNanos(unit, text))));
    }
    // Go keeps whole nanoseconds in an int64: it drops a smaller fraction ("1.5ns" is 1ns) and
    // refuses a longer duration (about 292 years).
    try {
      return Duration.ofNanos(nanos.setScale(0, RoundingMode.DOWN).longValueExact());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("duration out of range: " + text);
    }
  }

  private static long unitNanos(String unit, String text) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us", "µs", "μs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      case "h" -> 3_600_000_000_000L;
      default -> throw new IllegalArgumentException("not a duration: " + text);
    };
  }
}
