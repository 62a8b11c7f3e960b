package dev.netctl.ipam.block;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in canonical form (host bits zero), with the arithmetic IPAM needs:
 * address at an offset, offset of an address, and the n-th sub-block of a given prefix length.
 *
 * <p>Addresses are carried as unsigned {@link BigInteger}s so IPv4 and IPv6 share one code path;
 * offsets inside a block are {@code int} because a block never holds more than {@link
 * #MAX_BLOCK_ADDRESSES} addresses.
 *
 * @param network the network address as an unsigned integer
 * @param prefixLength the number of fixed leading bits
 * @param ipv6 whether this is an IPv6 network (128 bits) rather than IPv4 (32 bits)
 */
public record Cidr(BigInteger network, int prefixLength, boolean ipv6) implements Comparable<Cidr> {

  /** The largest block we keep as one allocation array: 12 host bits, as Calico's /20 or /116. */
  public static final int MAX_BLOCK_ADDRESSES = 4096;

  private static final Pattern LEADING_ZERO = Pattern.compile("(^|\\.)0[0-9]");

  public Cidr {
    Objects.requireNonNull(network, "network");
    int bits = ipv6 ? 128 : 32;
    if (prefixLength < 0 || prefixLength > bits) {
      throw new IllegalArgumentException(
          "prefix length " + prefixLength + " out of range 0.." + bits);
    }
    if (network.signum() < 0 || network.bitLength() > bits) {
      throw new IllegalArgumentException("network " + network + " is not a " + bits + "-bit value");
    }
    if (!network.and(hostMask(bits, prefixLength)).equals(BigInteger.ZERO)) {
      throw new IllegalArgumentException(
          "network " + format(network, ipv6) + "/" + prefixLength + " has host bits set");
    }
  }

  /**
   * Parses {@code a.b.c.d/n} or {@code x:y::z/n}. Host bits must be zero: {@code 10.0.0.1/24} is
   * rejected rather than silently truncated.
   */
  public static Cidr parse(String text) {
    Objects.requireNonNull(text, "cidr");
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("CIDR \"" + text + "\" has no /prefix-length");
    }
    InetAddress addr = parseAddress(text.substring(0, slash));
    int prefix;
    try {
      prefix = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("CIDR \"" + text + "\" has a non-numeric prefix length");
    }
    boolean v6 = addr.getAddress().length == 16;
    try {
      return new Cidr(new BigInteger(1, addr.getAddress()), prefix, v6);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("CIDR \"" + text + "\": " + e.getMessage());
    }
  }

  /**
   * Parses a literal IPv4 or IPv6 address without any name lookup (a hostname is rejected, never
   * resolved).
   */
  public static InetAddress parseAddress(String text) {
    Objects.requireNonNull(text, "address");
    boolean literal =
        !text.isEmpty()
            && (text.indexOf(':') >= 0
                ? text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')
                : text.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')
                    && text.chars().filter(c -> c == '.').count() == 3
                    // no leading zeros: 010 is octal 8 to inet_aton, and the datastore refuses it
                    && !LEADING_ZERO.matcher(text).find());
    if (!literal) {
      throw new IllegalArgumentException("\"" + text + "\" is not an IPv4 or IPv6 address");
    }
    try {
      InetAddress a = InetAddress.getByName(text);
      if (text.indexOf(':') >= 0 && a.getAddress().length == 4) {
        throw new IllegalArgumentException(
            "\""
                + text
                + "\": IPv4-mapped IPv6 addresses are not supported (give the IPv4 address)");
      }
      return a;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not an IPv4 or IPv6 address");
    }
  }

  /** The single-address network of {@code address} (/32 or /128). */
  public static Cidr of(InetAddress address) {
    boolean v6 = address.getAddress().length == 16;
    return new Cidr(new BigInteger(1, address.getAddress()), v6 ? 128 : 32, v6);
  }

  /** 32 or 128. */
  public int bits() {
    return ipv6 ? 128 : 32;
  }

  /** How many addresses this network holds. */
  public BigInteger size() {
    return BigInteger.ONE.shiftLeft(bits() - prefixLength);
  }

  /** Whether {@code address} is of this family and inside this network. */
  public boolean contains(InetAddress address) {
    if ((address.getAddress().length == 16) != ipv6) return false;
    BigInteger a = new BigInteger(1, address.getAddress());
    return a.andNot(hostMask(bits(), prefixLength)).equals(network);
  }

  /** Whether {@code other} is of this family and entirely inside this network. */
  public boolean contains(Cidr other) {
    return other.ipv6 == ipv6
        && other.prefixLength >= prefixLength
        && other.network.andNot(hostMask(bits(), prefixLength)).equals(network);
  }

  /** Whether the two networks share any address. */
  public boolean overlaps(Cidr other) {
    return contains(other) || other.contains(this);
  }

  /** The address at {@code offset} from the network address; fails outside the network. */
  public InetAddress addressAt(BigInteger offset) {
    if (offset.signum() < 0 || offset.compareTo(size()) >= 0) {
      throw new IllegalArgumentException("offset " + offset + " is outside " + this);
    }
    return toAddress(network.add(offset), ipv6);
  }

  /** The address at {@code ordinal} from the network address; fails outside the network. */
  public InetAddress addressAt(long ordinal) {
    return addressAt(BigInteger.valueOf(ordinal));
  }

  /** The offset of {@code address} from the network address; fails if it is not inside. */
  public BigInteger offsetOf(InetAddress address) {
    if (!contains(address)) {
      throw new IllegalArgumentException(address.getHostAddress() + " is not inside " + this);
    }
    return new BigInteger(1, address.getAddress()).subtract(network);
  }

  /** How many sub-networks of {@code blockPrefix} this network splits into. */
  public BigInteger blockCount(int blockPrefix) {
    checkBlockPrefix(blockPrefix);
    return BigInteger.ONE.shiftLeft(blockPrefix - prefixLength);
  }

  /** The {@code index}-th sub-network of prefix length {@code blockPrefix}, counting from zero. */
  public Cidr block(BigInteger index, int blockPrefix) {
    BigInteger count = blockCount(blockPrefix);
    if (index.signum() < 0 || index.compareTo(count) >= 0) {
      throw new IllegalArgumentException(
          "block index " + index + " is outside 0.." + count.subtract(BigInteger.ONE));
    }
    return new Cidr(network.add(index.shiftLeft(bits() - blockPrefix)), blockPrefix, ipv6);
  }

  /** The sub-network of prefix length {@code blockPrefix} that holds {@code address}. */
  public Cidr blockContaining(InetAddress address, int blockPrefix) {
    checkBlockPrefix(blockPrefix);
    BigInteger index = offsetOf(address).shiftRight(bits() - blockPrefix);
    return block(index, blockPrefix);
  }

  /** The index of sub-network {@code block} of this network. */
  public BigInteger blockIndex(Cidr block) {
    if (!contains(block)) throw new IllegalArgumentException(block + " is not inside " + this);
    return block.network.subtract(network).shiftRight(bits() - block.prefixLength);
  }

  /** The network address. */
  public InetAddress address() {
    return toAddress(network, ipv6);
  }

  /**
   * A name usable as a datastore key and readable by people: the canonical text with {@code .},
   * {@code :} and {@code /} replaced by {@code -}, e.g. {@code 10-0-0-0-26}, {@code fd00---122}.
   */
  public String name() {
    return toString().replace('.', '-').replace(':', '-').replace('/', '-');
  }

  /** Canonical text: dotted quad, or RFC 5952 compressed IPv6, then {@code /prefix}. */
  @Override
  public String toString() {
    return format(network, ipv6) + "/" + prefixLength;
  }

  @Override
  public int compareTo(Cidr o) {
    if (ipv6 != o.ipv6) return ipv6 ? 1 : -1;
    int c = network.compareTo(o.network);
    return c != 0 ? c : Integer.compare(prefixLength, o.prefixLength);
  }

  /** RFC 5952 text of an address: lowercase, longest zero run (2+ groups) compressed to ::. */
  public static String format(InetAddress address) {
    return format(new BigInteger(1, address.getAddress()), address.getAddress().length == 16);
  }

  private static String format(BigInteger value, boolean v6) {
    if (!v6) {
      long v = value.longValue();
      return ((v >> 24) & 0xff)
          + "."
          + ((v >> 16) & 0xff)
          + "."
          + ((v >> 8) & 0xff)
          + "."
          + (v & 0xff);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = value.shiftRight(16 * (7 - i)).intValue() & 0xffff;
    }
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) j++;
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
      sb.append(Integer.toHexString(groups[i]));
    }
    return sb.toString();
  }

  private static InetAddress toAddress(BigInteger value, boolean v6) {
    int len = v6 ? 16 : 4;
    byte[] raw = value.toByteArray();
    byte[] out = new byte[len];
    int copy = Math.min(raw.length, len);
    System.arraycopy(raw, raw.length - copy, out, len - copy, copy);
    try {
      return InetAddress.getByAddress(out);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private void checkBlockPrefix(int blockPrefix) {
    if (blockPrefix < prefixLength || blockPrefix > bits()) {
      throw new IllegalArgumentException(
          "block prefix /"
              + blockPrefix
              + " must be between /"
              + prefixLength
              + " and /"
              + bits()
              + " for "
              + this);
    }
  }

  private static BigInteger hostMask(int bits, int prefix) {
    return BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE);
  }
}
