package dev.netctl.ctl;

import java.util.regex.Pattern;

/**
 * The memory sizes {@code --max-memory} takes, in the JVM's own notation and as the {@code netctl}
 * launcher parses them: digits with an optional k, m or g (either case); bare digits are bytes.
 */
final class MemorySize {
  private static final Pattern SIZE = Pattern.compile("[0-9]+[kKmMgG]?");

  private MemorySize() {}

  /** Whether {@code text} is a size the launcher accepts. */
  static boolean valid(String text) {
    return SIZE.matcher(text).matches();
  }
}
