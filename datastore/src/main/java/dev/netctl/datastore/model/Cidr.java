package dev.netctl.datastore.model;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An IPv4 or IPv6 prefix such as {@code 10.244.0.0/16}, parsed strictly: literal addresses only
 * (never a DNS lookup), no leading zeros in IPv4 octets, no zone ids, no IPv4-mapped IPv6.
 *
 * <p>A parsed CIDR may have host bits set ({@code 10.0.0.5/24}, as in a node address); {@link
 * #isMasked()} tells whether it names a network exactly, which pools require.
 *
 * @param address the address as written (host bits kept)
 * @param prefixLength 0–32 for IPv4, 0–128 for IPv6
 */
public record Cidr(InetAddress address, int prefixLength) {

  public Cidr {
    Objects.requireNonNull(address, "address");
    int max = address instanceof Inet4Address ? 32 : 128;
    if (prefixLength < 0 || prefixLength > max) {
      throw new IllegalArgumentException("prefix length " + prefixLength + " is not 0-" + max);
    }
  }

  /**
   * Parses {@code address/prefix}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Cidr parse(String text) {
    if (text == null) throw new IllegalArgumentException("no CIDR given");
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("\"" + text + "\" is not a CIDR (address/prefix)");
    }
    InetAddress addr = parseAddress(text.substring(0, slash));
    String len = text.substring(slash + 1);
    int max = addr instanceof Inet4Address ? 32 : 128;
    if (!len.matches("[0-9]{1,3}") || Integer.parseInt(len) > max) {
      throw new IllegalArgumentException(
          "\"" + text + "\" has an invalid prefix length (0-" + max + ")");
    }
    return new Cidr(addr, Integer.parseInt(len));
  }

  /** Parses an address or CIDR; a bare address becomes a host prefix (/32 or /128). */
  public static Cidr parseAddressOrCidr(String text) {
    if (text != null && text.indexOf('/') >= 0) return parse(text);
    InetAddress a = parseAddress(text);
    return new Cidr(a, a instanceof Inet4Address ? 32 : 128);
  }

  /** The rule an IPv4-mapped address or CIDR breaks, as every field holding one words it. */
  public static final String NO_IPV4_MAPPED =
      "must not be an IPv4-mapped IPv6 address (::ffff:a.b.c.d): give the IPv4 address";

  /**
   * Whether {@code text} (an address, a CIDR, or an address with a port) is written as an
   * IPv4-mapped IPv6 address, which netctl refuses everywhere: it is IPv4 in IPv6's clothes, and
   * would be stored, compared and advertised as neither.
   */
  public static boolean ipv4Mapped(String text) {
    if (text == null || text.indexOf(':') < 0 || text.indexOf('.') < 0) return false;
    String a =
        text.startsWith("[") && text.indexOf(']') > 0 ? text.substring(1, text.indexOf(']')) : text;
    int slash = a.indexOf('/');
    if (slash >= 0) a = a.substring(0, slash);
    if (a.indexOf(':') < 0 || !a.matches("[0-9A-Fa-f:.]+")) return false;
    try {
      // A literal with ':' is never looked up by name; a mapped one comes back as IPv4.
      return InetAddress.getByName(a) instanceof Inet4Address;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Parses a literal IPv4 or IPv6 address.
   *
   * @throws IllegalArgumentException when it is not one
   */
  public static InetAddress parseAddress(String text) {
    if (text == null || text.isEmpty()) throw new IllegalArgumentException("no address given");
    if (text.indexOf(':') < 0) return parseIPv4(text);
    if (!text.matches("[0-9A-Fa-f:.]+")) {
      throw new IllegalArgumentException("\"" + text + "\" is not an IPv6 address");
    }
    try {
      // A string with ':' is taken as an IPv6 literal by getByName: no name resolution happens.
      InetAddress a = InetAddress.getByName(text);
      if (!(a instanceof Inet6Address)) {
        throw new IllegalArgumentException(
            "\"" + text + "\": IPv4-mapped IPv6 addresses are not supported");
      }
      return a;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not an IPv6 address", e);
    }
  }

  private static InetAddress parseIPv4(String text) {
    String[] parts = text.split("\\.", -1);
    byte[] b = new byte[4];
    boolean ok = parts.length == 4;
    for (int i = 0; ok && i < 4; i++) {
      String p = parts[i];
      ok =
          p.matches("[0-9]{1,3}")
              && !(p.length() > 1 && p.charAt(0) == '0')
              && Integer.parseInt(p) <= 255;
      if (ok) b[i] = (byte) Integer.parseInt(p);
    }
    if (!ok) throw new IllegalArgumentException("\"" + text + "\" is not an IPv4 address");
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new AssertionError("4 bytes are always a valid address", e);
    }
  }

  /**
   * An address or CIDR as netctl stores and prints it: IPv6 in RFC 5952 form ({@code fd00::/64},
   * never {@code FD00:0:0:0::/64}), host bits kept. Text that is neither is returned as written, so
   * validation names the value the user gave.
   */
  public static String canonical(String text) {
    if (text == null) return null;
    try {
      return parseAddressOrCidr(text).toStringAsWritten(text);
    } catch (IllegalArgumentException e) {
      return text;
    }
  }

  private String toStringAsWritten(String text) {
    return text.indexOf('/') >= 0 ? toString() : format(address);
  }

  /** True for IPv4. */
  public boolean isIPv4() {
    return address instanceof Inet4Address;
  }

  /** 32 or 128. */
  public int maxPrefixLength() {
    return isIPv4() ? 32 : 128;
  }

  /** True when no host bit is set, i.e. the CIDR names its network exactly. */
  public boolean isMasked() {
    return equals(masked());
  }

  /** The network: this prefix with host bits cleared. */
  public Cidr masked() {
    byte[] b = address.getAddress();
    for (int i = 0; i < b.length; i++) {
      int keep = Math.clamp(prefixLength - i * 8L, 0, 8);
      b[i] &= (byte) (0xff << (8 - keep));
    }
    try {
      return new Cidr(InetAddress.getByAddress(b), prefixLength);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** True when {@code a} (of the same family) lies in this prefix. */
  public boolean contains(InetAddress a) {
    if ((a instanceof Inet4Address) != isIPv4()) return false;
    return new Cidr(a, prefixLength).masked().address().equals(masked().address());
  }

  /** True when the two prefixes share at least one address (same family only). */
  public boolean overlaps(Cidr other) {
    if (other.isIPv4() != isIPv4()) return false;
    int shorter = Math.min(prefixLength, other.prefixLength);
    return new Cidr(address, shorter).masked().equals(new Cidr(other.address, shorter).masked());
  }

  /** The address in its shortest text form ({@code fd00::1}, not {@code fd00:0:0:0:0:0:0:1}). */
  public static String format(InetAddress a) {
    if (a instanceof Inet4Address) return a.getHostAddress();
    byte[] b = a.getAddress();
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first on a tie.
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && g[j] == 0) j++;
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return format(address) + "/" + prefixLength;
  }
}
