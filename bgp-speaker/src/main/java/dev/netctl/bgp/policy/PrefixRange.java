package dev.netctl.bgp.policy;

import dev.netctl.bgp.codec.Prefix;
import java.util.Objects;

/**
 * A prefix-list entry: prefixes inside {@code prefix} whose length is within {@code ge..le}
 * (Cisco/FRR prefix-list semantics; without ge/le it matches the prefix exactly).
 *
 * @param prefix the covering prefix
 * @param ge shortest matching length, at least the prefix's length
 * @param le longest matching length, at least {@code ge} and at most 32 or 128
 */
public record PrefixRange(Prefix prefix, int ge, int le) {
  /** Validates {@code prefix.length <= ge <= le <= max}. */
  public PrefixRange {
    Objects.requireNonNull(prefix, "prefix");
    int max = prefix.ipv6() ? 128 : 32;
    if (ge < prefix.length() || ge > le || le > max) {
      throw new IllegalArgumentException(
          "prefix range "
              + prefix
              + " ge "
              + ge
              + " le "
              + le
              + ": need "
              + prefix.length()
              + " <= ge <= le <= "
              + max);
    }
  }

  /** Exactly {@code prefix}. */
  public static PrefixRange exact(Prefix prefix) {
    return new PrefixRange(prefix, prefix.length(), prefix.length());
  }

  /** {@code prefix} and every more-specific prefix inside it. */
  public static PrefixRange orLonger(Prefix prefix) {
    return new PrefixRange(prefix, prefix.length(), prefix.ipv6() ? 128 : 32);
  }

  /**
   * Parses {@code 10.0.0.0/8}, {@code 10.0.0.0/8 ge 16}, {@code 10.0.0.0/8 le 24} or {@code
   * 10.0.0.0/8 ge 16 le 24}; ge alone means up to the maximum length, le alone means from the
   * prefix's length.
   */
  public static PrefixRange parse(String text) {
    String[] words = text.trim().split("\\s+");
    Prefix p = Prefix.parse(words[0]);
    int ge = -1;
    int le = -1;
    for (int i = 1; i < words.length; i += 2) {
      if (i + 1 >= words.length) {
        throw new IllegalArgumentException(
            "prefix range '" + text + "': '" + words[i] + "' needs a length after it");
      }
      int value;
      try {
        value = Integer.parseInt(words[i + 1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "prefix range '" + text + "': '" + words[i + 1] + "' is not a length", e);
      }
      switch (words[i]) {
        case "ge" -> ge = value;
        case "le" -> le = value;
        default ->
            throw new IllegalArgumentException(
                "prefix range '" + text + "': expected ge or le, got '" + words[i] + "'");
      }
    }
    int max = p.ipv6() ? 128 : 32;
    if (ge < 0 && le < 0) {
      return exact(p);
    }
    return new PrefixRange(p, ge < 0 ? p.length() : ge, le < 0 ? max : le);
  }

  /** Whether {@code candidate} is inside this range. */
  public boolean matches(Prefix candidate) {
    return candidate.ipv6() == prefix.ipv6()
        && candidate.length() >= ge
        && candidate.length() <= le
        && candidate.truncate(prefix.length()).equals(prefix);
  }

  @Override
  public String toString() {
    if (ge == prefix.length() && le == prefix.length()) {
      return prefix.toString();
    }
    return prefix + " ge " + ge + " le " + le;
  }
}
