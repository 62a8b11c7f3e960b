package dev.netctl.bgp.fsm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which AS numbers a peer may present in its OPEN when it is not one fixed number: what a
 * dynamic-neighbour template accepts (FRR's {@code remote-as internal|external}, BIRD's and GoBGP's
 * AS-agnostic ranges). An OPEN from any other AS is refused with OPEN Message Error / Bad Peer AS
 * (RFC 4271 §6.2).
 */
public sealed interface RemoteAs {
  /** Whether a peer presenting {@code peerAs} is accepted by a speaker in {@code localAs}. */
  boolean accepts(long localAs, long peerAs);

  /** The accepted set as written in a config. */
  String text();

  /** Our own AS only (iBGP). */
  record Internal() implements RemoteAs {
    @Override
    public boolean accepts(long localAs, long peerAs) {
      return peerAs == localAs;
    }

    @Override
    public String text() {
      return "internal";
    }
  }

  /** Any AS but ours (eBGP). */
  record External() implements RemoteAs {
    @Override
    public boolean accepts(long localAs, long peerAs) {
      return peerAs != localAs;
    }

    @Override
    public String text() {
      return "external";
    }
  }

  /** Inclusive spans of AS numbers, e.g. {@code 64512-65534,65550}. */
  record Spans(List<long[]> spans) implements RemoteAs {
    /** Copies the spans, each {@code {first, last}}. */
    public Spans {
      if (spans.isEmpty()) {
        throw new IllegalArgumentException("an AS list needs at least one AS or range");
      }
      spans = spans.stream().map(long[]::clone).toList();
    }

    @Override
    public boolean accepts(long localAs, long peerAs) {
      for (long[] s : spans) {
        if (peerAs >= s[0] && peerAs <= s[1]) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String text() {
      List<String> parts = new ArrayList<>();
      for (long[] s : spans) {
        parts.add(s[0] == s[1] ? Long.toString(s[0]) : s[0] + "-" + s[1]);
      }
      return String.join(",", parts);
    }

    /** The lowest AS of the first span. */
    public long first() {
      return spans.getFirst()[0];
    }
  }

  /**
   * Parses {@code internal}, {@code external}, or a comma-separated list of AS numbers and
   * inclusive ranges {@code FIRST-LAST}, each 1..4294967295, plain or asdot ({@code 1.10}).
   *
   * @throws IllegalArgumentException naming the part that is not one of those
   */
  static RemoteAs parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("internal")) {
      return new Internal();
    }
    if (t.equals("external")) {
      return new External();
    }
    List<long[]> spans = new ArrayList<>();
    for (String part : t.split(",", -1)) {
      String p = part.trim();
      int dash = p.indexOf('-');
      long first = asNumber(dash < 0 ? p : p.substring(0, dash), text);
      long last = dash < 0 ? first : asNumber(p.substring(dash + 1), text);
      if (last < first) {
        throw new IllegalArgumentException(
            "AS range \"" + p + "\" ends before it starts (write FIRST-LAST, FIRST <= LAST)");
      }
      spans.add(new long[] {first, last});
    }
    return new Spans(spans);
  }

  private static long asNumber(String s, String whole) {
    String t = s.trim();
    try {
      int dot = t.indexOf('.');
      // asdot (RFC 5396), as the AS numbers elsewhere in the config may be written: HIGH.LOW.
      long v = dot < 0 ? Long.parseLong(t) : asdot(t.substring(0, dot), t.substring(dot + 1));
      if (v >= 1 && v <= 0xffffffffL) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "\""
            + t
            + "\" in \""
            + whole
            + "\" is not an AS number 1..4294967295 or 0.1..65535.65535 (write internal, external,"
            + " or AS numbers and ranges like 64512-65534,65550)");
  }

  private static long asdot(String high, String low) {
    long h = Long.parseLong(high);
    long l = Long.parseLong(low);
    if (h < 0 || h > 0xffff || l < 0 || l > 0xffff || high.startsWith("+") || low.startsWith("+")) {
      throw new NumberFormatException();
    }
    return h << 16 | l;
  }
}
