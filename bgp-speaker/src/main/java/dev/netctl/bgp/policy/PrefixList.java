package dev.netctl.bgp.policy;

import dev.netctl.bgp.codec.Prefix;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A named list of prefix ranges; a prefix matches the list when it matches any range.
 *
 * @param name the list's name, for messages
 * @param ranges the ranges
 */
public record PrefixList(String name, List<PrefixRange> ranges) {
  /** Validates and copies. */
  public PrefixList {
    Objects.requireNonNull(name, "name");
    ranges = List.copyOf(ranges);
  }

  /** A list from range literals (see {@link PrefixRange#parse}). */
  public static PrefixList of(String name, String... ranges) {
    return new PrefixList(name, Arrays.stream(ranges).map(PrefixRange::parse).toList());
  }

  /** Whether any range contains {@code prefix}. */
  public boolean matches(Prefix prefix) {
    for (PrefixRange r : ranges) {
      if (r.matches(prefix)) {
        return true;
      }
    }
    return false;
  }
}
