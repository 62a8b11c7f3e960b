package dev.netctl.bgp.codec;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * An immutable list of IPv4 unicast NLRI without path identifiers, held as one {@code long} per
 * prefix ({@link #pack}) instead of an {@link Nlri} and a {@link Prefix} object each. An update
 * group packs a million outbound prefixes into UPDATEs through these lists, and the encoder writes
 * them straight from the packed values; elements are built only when read through {@link #get}.
 * Equal to any list of the same NLRI.
 */
public final class Ipv4NlriList extends AbstractList<Nlri> implements RandomAccess {
  private static final Ipv4NlriList EMPTY = new Ipv4NlriList(new long[0], 0, 0);

  private final long[] packed;
  private final int from;
  private final int to;

  private Ipv4NlriList(long[] packed, int from, int to) {
    this.packed = packed;
    this.from = from;
    this.to = to;
  }

  /**
   * The first {@code size} values of {@code packed} ({@link #pack}), which the list keeps: the
   * caller hands the array over. For the decoder, which counts the prefixes first and needs no
   * builder.
   */
  static Ipv4NlriList of(long[] packed, int size) {
    Objects.checkFromToIndex(0, size, packed.length);
    return size == 0 ? EMPTY : new Ipv4NlriList(packed, 0, size);
  }

  /** The empty list. */
  static Ipv4NlriList empty() {
    return EMPTY;
  }

  /** The packed form of an IPv4 prefix: its address above its length octet. */
  public static long pack(Prefix prefix) {
    if (prefix.ipv6()) {
      throw new IllegalArgumentException("not an IPv4 prefix: " + prefix);
    }
    return prefix.low() << 8 | prefix.length();
  }

  /** The prefix of a packed value. */
  public static Prefix unpack(long packed) {
    return Prefix.ipv4((int) (packed >>> 8), (int) (packed & 0xff));
  }

  /** Collects packed prefixes into a list. */
  public static final class Builder {
    private long[] packed;
    private int size;

    /** A builder with room for 16 prefixes. */
    public Builder() {
      this(16);
    }

    /** A builder with room for {@code capacity} prefixes before it grows. */
    public Builder(int capacity) {
      packed = new long[Math.max(capacity, 1)];
    }

    /** Appends a packed prefix ({@link #pack}). */
    public Builder add(long value) {
      if (size == packed.length) {
        packed = Arrays.copyOf(packed, size * 2);
      }
      packed[size++] = value;
      return this;
    }

    /** Number of prefixes added. */
    public int size() {
      return size;
    }

    /** The list of what was added; the builder must not be used afterwards. */
    public Ipv4NlriList build() {
      return size == 0 ? EMPTY : new Ipv4NlriList(packed, 0, size);
    }
  }

  /** The packed prefix at {@code index}. */
  public long packed(int index) {
    Objects.checkIndex(index, size());
    return packed[from + index];
  }

  @Override
  public Nlri get(int index) {
    return new Nlri(0, unpack(packed(index)));
  }

  @Override
  public int size() {
    return to - from;
  }

  @Override
  public Ipv4NlriList subList(int fromIndex, int toIndex) {
    Objects.checkFromToIndex(fromIndex, toIndex, size());
    return new Ipv4NlriList(packed, from + fromIndex, from + toIndex);
  }

  /** Octets the prefix at {@code index} takes on the wire, path identifier included if any. */
  int wireSize(int index, boolean addPath) {
    return (addPath ? 4 : 0) + 1 + ((int) (packed[from + index] & 0xff) + 7) / 8;
  }

  /** {@code list} itself when it is one of these, else an immutable copy. */
  static List<Nlri> copyOf(List<Nlri> list) {
    return list instanceof Ipv4NlriList packedList ? packedList : List.copyOf(list);
  }
}
