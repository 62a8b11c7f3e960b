package dev.netctl.bgp.policy;

import dev.netctl.bgp.codec.PathAttribute.LargeCommunity;

/** Parsing and formatting of communities (RFC 1997 {@code asn:value}, RFC 8092 {@code a:b:c}). */
public final class Community {
  private Community() {}

  /** The 32-bit community {@code high:low}. */
  public static int of(int high, int low) {
    if (high < 0 || high > 0xffff || low < 0 || low > 0xffff) {
      throw new IllegalArgumentException(
          "community " + high + ":" + low + ": both halves must be within 0..65535");
    }
    return high << 16 | low;
  }

  /** Parses {@code 65000:100}. */
  public static int parse(String text) {
    String[] parts = text.split(":");
    if (parts.length != 2) {
      throw new IllegalArgumentException("community '" + text + "' must look like 65000:100");
    }
    try {
      return of(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("community '" + text + "' has a non-numeric half", e);
    }
  }

  /** Parses {@code 65000:1:2}. */
  public static LargeCommunity parseLarge(String text) {
    String[] parts = text.split(":");
    if (parts.length != 3) {
      throw new IllegalArgumentException("large community '" + text + "' must look like 1:2:3");
    }
    try {
      return new LargeCommunity(
          Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "large community '" + text + "' has a non-numeric part", e);
    }
  }

  /** Formats a community as {@code high:low}. */
  public static String format(int community) {
    return (community >>> 16) + ":" + (community & 0xffff);
  }
}
