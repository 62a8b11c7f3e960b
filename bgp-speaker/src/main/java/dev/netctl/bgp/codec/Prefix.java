package dev.netctl.bgp.codec;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 prefix, packed into two longs so a RIB can hold millions without an array per
 * entry (RFC 4271 §4.3 NLRI, RFC 4760 §5).
 *
 * <p>IPv4 addresses live in the low 32 bits of {@code low} with {@code high} zero. Host bits beyond
 * {@code length} must be zero; the decoder clears them because the wire says they are irrelevant.
 *
 * @param ipv6 whether this is an IPv6 prefix
 * @param high the upper 64 address bits (IPv6 only, else 0)
 * @param low the lower 64 address bits (IPv6), or the IPv4 address as an unsigned int
 * @param length prefix length, 0..32 or 0..128
 */
public record Prefix(boolean ipv6, long high, long low, int length) {

  /** Validates the length and that host bits are clear. */
  public Prefix {
    int max = ipv6 ? 128 : 32;
    if (length < 0 || length > max) {
      throw new IllegalArgumentException(
          "prefix length " + length + " is outside 0.." + max + " for " + (ipv6 ? "IPv6" : "IPv4"));
    }
    if (!ipv6 && (high != 0 || (low >>> 32) != 0)) {
      throw new IllegalArgumentException("IPv4 prefix address must fit 32 bits: " + low);
    }
    if (high != maskHigh(ipv6, high, length) || low != maskLow(ipv6, low, length)) {
      throw new IllegalArgumentException(
          "prefix "
              + format(ipv6, high, low)
              + "/"
              + length
              + " has host bits set past /"
              + length);
    }
  }

  // Written out: a record's generated hashCode goes through a method-handle chain that the C1-only
  // DUT JVM cannot inline; this key is hashed several times per route on the RIB's hot path.
  @Override
  public int hashCode() {
    int h = Boolean.hashCode(ipv6);
    h = 31 * h + Long.hashCode(high);
    h = 31 * h + Long.hashCode(low);
    return 31 * h + length;
  }

  // Written out for the same reason: prefixes are compared per route as map keys.
  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof Prefix p
            && low == p.low
            && length == p.length
            && high == p.high
            && ipv6 == p.ipv6);
  }

  /**
   * An IPv4 address as an int, most significant octet first, without the array {@link
   * Inet4Address#getAddress} allocates on every call (a new attribute set's encoding and import ran
   * it per set and per route). The JDK's {@code Inet4Address.hashCode} is that int; PrefixTest
   * holds it to it.
   */
  public static int ipv4Int(Inet4Address address) {
    return address.hashCode();
  }

  /** An IPv4 prefix from an address int; host bits are cleared. */
  public static Prefix ipv4(int address, int length) {
    long addr = Integer.toUnsignedLong(address);
    if (length < 0 || length > 32) {
      throw new IllegalArgumentException("IPv4 prefix length " + length + " is outside 0..32");
    }
    return new Prefix(false, 0, maskLow(false, addr, length), length);
  }

  /** An IPv6 prefix from two address halves; host bits are cleared. */
  public static Prefix ipv6(long high, long low, int length) {
    if (length < 0 || length > 128) {
      throw new IllegalArgumentException("IPv6 prefix length " + length + " is outside 0..128");
    }
    return new Prefix(true, maskHigh(true, high, length), maskLow(true, low, length), length);
  }

  /** A prefix from address bytes (4 or 16, or fewer: missing bytes are zero); host bits cleared. */
  public static Prefix of(boolean ipv6, byte[] address, int length) {
    long high = 0;
    long low = 0;
    int size = ipv6 ? 16 : 4;
    for (int i = 0; i < size; i++) {
      long b = i < address.length ? address[i] & 0xffL : 0;
      if (ipv6 && i < 8) {
        high |= b << (8 * (7 - i));
      } else {
        low |= b << (8 * (size - 1 - i));
      }
    }
    return ipv6 ? ipv6(high, low, length) : ipv4((int) low, length);
  }

  /** Parses {@code a.b.c.d/n} or {@code x:y::/n}; the address must be a literal. */
  public static Prefix parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("prefix '" + text + "' has no /length");
    }
    String addr = text.substring(0, slash);
    if (!addr.contains(":") && !addr.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      throw new IllegalArgumentException("prefix '" + text + "' address is not an IP literal");
    }
    int length;
    try {
      length = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("prefix '" + text + "' length is not a number", e);
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(addr);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("prefix '" + text + "' address is not an IP literal", e);
    }
    boolean v6 = address instanceof Inet6Address;
    if (length < 0 || length > (v6 ? 128 : 32)) {
      throw new IllegalArgumentException("prefix '" + text + "' length is out of range");
    }
    Prefix p = of(v6, address.getAddress(), length);
    if (!java.util.Arrays.equals(address.getAddress(), p.addressBytes())) {
      throw new IllegalArgumentException("prefix '" + text + "' has host bits set past /" + length);
    }
    return p;
  }

  /** This prefix shortened to {@code newLength} bits. */
  public Prefix truncate(int newLength) {
    if (newLength > length) {
      throw new IllegalArgumentException("cannot lengthen /" + length + " to /" + newLength);
    }
    return ipv6 ? ipv6(high, low, newLength) : ipv4((int) low, newLength);
  }

  /** The family of this prefix with unicast SAFI. */
  public AddressFamily family() {
    return ipv6 ? AddressFamily.IPV6_UNICAST : AddressFamily.IPV4_UNICAST;
  }

  /** The full address (4 or 16 bytes). */
  public byte[] addressBytes() {
    int size = ipv6 ? 16 : 4;
    byte[] out = new byte[size];
    for (int i = 0; i < size; i++) {
      out[i] = byteAt(i);
    }
    return out;
  }

  /** Address byte {@code i} (0-based, network order). */
  public byte byteAt(int i) {
    if (!ipv6) {
      return (byte) (low >>> (8 * (3 - i)));
    }
    return i < 8 ? (byte) (high >>> (8 * (7 - i))) : (byte) (low >>> (8 * (15 - i)));
  }

  /** The network address as an {@link InetAddress}. */
  public InetAddress address() {
    try {
      return InetAddress.getByAddress(addressBytes());
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long maskHigh(boolean ipv6, long high, int length) {
    if (!ipv6) {
      return high;
    }
    if (length >= 64) {
      return high;
    }
    return length == 0 ? 0 : high & (-1L << (64 - length));
  }

  private static long maskLow(boolean ipv6, long low, int length) {
    if (!ipv6) {
      return length == 0 ? 0 : low & (0xffffffffL << (32 - length)) & 0xffffffffL;
    }
    if (length <= 64) {
      return 0;
    }
    return length == 128 ? low : low & (-1L << (128 - length));
  }

  private static String format(boolean ipv6, long h, long l) {
    return ipv6 ? AddressText.ipv6(h, l) : AddressText.ipv4(l);
  }

  @Override
  public String toString() {
    return format(ipv6, high, low) + "/" + length;
  }
}
