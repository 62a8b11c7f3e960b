package dev.netctl.agent.policy;

import java.util.Locale;

/** IP protocol numbers of the protocol names policy rules use. */
public final class Protocols {
  public static final int ICMP = 1;
  public static final int TCP = 6;
  public static final int UDP = 17;
  public static final int ICMPV6 = 58;
  public static final int SCTP = 132;
  public static final int UDPLITE = 136;

  private Protocols() {}

  /** The number of a protocol name or number as written in a rule ({@code TCP}, {@code 17}). */
  public static int parse(String s) {
    return switch (s.toUpperCase(Locale.ROOT)) {
      case "TCP" -> TCP;
      case "UDP" -> UDP;
      case "ICMP" -> ICMP;
      case "ICMPV6" -> ICMPV6;
      case "SCTP" -> SCTP;
      case "UDPLITE" -> UDPLITE;
      default -> {
        int n = Integer.parseInt(s);
        if (n < 1 || n > 255) throw new IllegalArgumentException("protocol " + s);
        yield n;
      }
    };
  }

  /** {@code TCP}, {@code UDP}... or the number. */
  public static String name(int p) {
    return switch (p) {
      case TCP -> "TCP";
      case UDP -> "UDP";
      case ICMP -> "ICMP";
      case ICMPV6 -> "ICMPv6";
      case SCTP -> "SCTP";
      case UDPLITE -> "UDPLite";
      default -> Integer.toString(p);
    };
  }

  /** True for protocols with ports. */
  public static boolean hasPorts(int p) {
    return p == TCP || p == UDP || p == SCTP || p == UDPLITE;
  }
}
