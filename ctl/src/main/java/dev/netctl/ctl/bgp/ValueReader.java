package dev.netctl.ctl.bgp;

import dev.netctl.bgp.codec.PathAttribute.LargeCommunity;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.policy.PrefixList;
import dev.netctl.bgp.policy.PrefixRange;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * Parses the values a speaker config writes as text (prefixes, prefix-list entries, communities, AS
 * numbers), reporting each bad one with its field and the rule, and returning null for it so the
 * caller goes on to find the next.
 */
final class ValueReader {
  /** Where violations go: {@code field}, the offending {@code value} (or null) and the rule. */
  interface Report {
    void error(String field, Object value, String rule);
  }

  // RFC 1997, RFC 7999 and RFC 8326 names, as BIRD and GoBGP accept them.
  private static final Map<String, Integer> WELL_KNOWN =
      Map.of(
          "no-export", 0xFFFFFF01,
          "no-advertise", 0xFFFFFF02,
          "no-export-subconfed", 0xFFFFFF03,
          "blackhole", 0xFFFF029A,
          "graceful-shutdown", 0xFFFF0000);

  private final Report report;

  ValueReader(Report report) {
    this.report = report;
  }

  /** Each value parsed, or null when any was bad (all reported). */
  <T> Set<T> values(String f, List<String> values, BiFunction<String, String, T> parse) {
    Set<T> out = new LinkedHashSet<>();
    boolean ok = true;
    for (int i = 0; i < values.size(); i++) {
      T v = parse.apply(f + "[" + i + "]", values.get(i));
      ok &= v != null;
      if (v != null) out.add(v);
    }
    return ok ? out : null;
  }

  /** A prefix list named {@code name} (a set's name, or the field of an inline list). */
  PrefixList prefixList(String f, String name, List<SpeakerConfig.PrefixEntry> entries) {
    if (entries.isEmpty()) {
      report.error(f, "[]", "must list at least one prefix");
      return null;
    }
    List<PrefixRange> ranges = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      PrefixRange r = range(f + "[" + i + "]", entries.get(i));
      if (r != null) ranges.add(r);
    }
    return ranges.size() == entries.size() ? new PrefixList(name, ranges) : null;
  }

  private PrefixRange range(String f, SpeakerConfig.PrefixEntry e) {
    if (e == null) {
      report.error(f, null, "is required (a prefix such as 10.0.0.0/8 le 24)");
      return null;
    }
    if (e.text() != null) {
      try {
        return PrefixRange.parse(e.text());
      } catch (IllegalArgumentException x) {
        report.error(
            f, e.text(), "is not a prefix-list entry (PREFIX [ge N] [le M]): " + x.getMessage());
        return null;
      }
    }
    Prefix p = prefix(f + ".prefix", e.prefix());
    if (p == null) {
      return null;
    }
    int max = p.ipv6() ? 128 : 32;
    int ge = e.ge() == null ? p.length() : e.ge();
    int le = e.le() == null ? (e.ge() == null ? p.length() : max) : e.le();
    if (ge < p.length() || ge > le || le > max) {
      report.error(
          f,
          p + " ge " + ge + " le " + le,
          "must satisfy " + p.length() + " <= ge <= le <= " + max);
      return null;
    }
    return new PrefixRange(p, ge, le);
  }

  /** Whether {@code value} is an AS number 0..4294967295 (reported if not). */
  boolean asn(String f, long value) {
    if (value < 0 || value > 0xffffffffL) {
      report.error(f, value, "must be an AS number 0..4294967295");
      return false;
    }
    return true;
  }

  /** Whether {@code value} fits an unsigned 32-bit attribute (reported if not). */
  boolean u32(String f, long value) {
    if (value < 0 || value > 0xffffffffL) {
      report.error(f, value, "must be 0..4294967295");
      return false;
    }
    return true;
  }

  /** A prefix without host bits, or null after reporting. */
  Prefix prefix(String f, String text) {
    if (text == null) {
      report.error(f, null, "is required (an IP prefix such as 10.0.0.0/24)");
      return null;
    }
    try {
      return Prefix.parse(text);
    } catch (IllegalArgumentException e) {
      report.error(f, text, "is not a valid prefix: " + e.getMessage());
      return null;
    }
  }

  /** A standard community {@code asn:value} or a well-known name, or null after reporting. */
  Integer community(String f, String text) {
    Integer known = WELL_KNOWN.get(String.valueOf(text));
    if (known != null) {
      return known;
    }
    String[] parts = String.valueOf(text).split(":", -1);
    if (parts.length == 2) {
      try {
        int hi = Integer.parseInt(parts[0]);
        int lo = Integer.parseInt(parts[1]);
        if (hi >= 0 && hi <= 65535 && lo >= 0 && lo <= 65535) {
          return (hi << 16) | lo;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    report.error(
        f,
        text,
        "must be ASN:VALUE with both parts 0..65535 (RFC 1997) or one of "
            + new TreeSet<>(WELL_KNOWN.keySet()));
    return null;
  }

  /** A large community {@code global:local1:local2}, or null after reporting. */
  LargeCommunity largeCommunity(String f, String text) {
    String[] parts = String.valueOf(text).split(":", -1);
    if (parts.length == 3) {
      try {
        long a = Long.parseLong(parts[0]);
        long b = Long.parseLong(parts[1]);
        long c = Long.parseLong(parts[2]);
        if (a >= 0
            && a <= 0xffffffffL
            && b >= 0
            && b <= 0xffffffffL
            && c >= 0
            && c <= 0xffffffffL) {
          return new LargeCommunity(a, b, c);
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    report.error(f, text, "must be GLOBAL:LOCAL1:LOCAL2 with each part 0..4294967295 (RFC 8092)");
    return null;
  }
}
