package dev.netctl.bgp.codec;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Address text as people and scripts read it (RFC 5952): IPv6 in lower case with leading zeros
 * dropped and the longest run of two or more zero groups (the first on a tie) written {@code ::};
 * IPv4-mapped addresses as {@code ::ffff:192.0.2.1} (§5); IPv4 as a dotted quad. {@link
 * InetAddress#getHostAddress()} writes {@code 0:0:0:0:0:0:0:1} and {@code toString()} adds a {@code
 * /}: every address the speaker prints goes through here instead.
 */
public final class AddressText {
  private AddressText() {}

  /** The address's text, or {@code "none"} for null. */
  public static String of(InetAddress address) {
    if (address == null) {
      return "none";
    }
    byte[] b = address.getAddress();
    if (b.length == 4) {
      return ipv4(b, 0);
    }
    long high = 0;
    long low = 0;
    for (int i = 0; i < 8; i++) {
      high = (high << 8) | (b[i] & 0xff);
      low = (low << 8) | (b[8 + i] & 0xff);
    }
    return ipv6(high, low);
  }

  /** {@code 192.0.2.1:179}, or {@code [2001:db8::1]:179} for IPv6 (RFC 5952 §6). */
  public static String of(InetSocketAddress address) {
    if (address == null) {
      return "none";
    }
    if (address.isUnresolved()) {
      return address.getHostString() + ":" + address.getPort();
    }
    String host = of(address.getAddress());
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  /** An IPv4 address held in the low 32 bits of {@code value}. */
  public static String ipv4(long value) {
    return ((value >>> 24) & 0xff)
        + "."
        + ((value >>> 16) & 0xff)
        + "."
        + ((value >>> 8) & 0xff)
        + "."
        + (value & 0xff);
  }

  private static String ipv4(byte[] b, int from) {
    return (b[from] & 0xff)
        + "."
        + (b[from + 1] & 0xff)
        + "."
        + (b[from + 2] & 0xff)
        + "."
        + (b[from + 3] & 0xff);
  }

  /** An IPv6 address given as its high and low 64 bits. */
  public static String ipv6(long high, long low) {
    if (high == 0 && (low >>> 32) == 0xffffL) {
      return "::ffff:" + ipv4(low & 0xffffffffL);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = (int) ((i < 4 ? high >>> (16 * (3 - i)) : low >>> (16 * (7 - i))) & 0xffff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLength - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(groups[i]));
    }
    return sb.toString();
  }
}
