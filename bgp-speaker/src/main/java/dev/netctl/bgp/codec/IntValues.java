package dev.netctl.bgp.codec;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * An immutable list of 32-bit values held in an {@code int[]}, not as boxes: the AS numbers of an
 * AS_PATH segment (RFC 4271 §4.3, unsigned, seen as {@code Long}) and the values of COMMUNITIES
 * (RFC 1997, seen as {@code Integer}). The decoder makes one per attribute of every UPDATE
 * received, where a list of boxes was a box per number and an array of them; the interner hashes
 * and compares the attributes of every new set, where the boxes cost an interface call per number.
 *
 * <p>Equal to any list of the same elements and hashed as one ({@link List#hashCode}), so the
 * records keep their equality; the hash is computed once, when the values are read.
 */
abstract sealed class IntValues<E> extends AbstractList<E> implements RandomAccess {
  final int[] values;
  private final int hash;

  // Takes the array: callers hand over one nothing else holds.
  IntValues(int[] values) {
    this.values = values;
    int h = 1;
    // Long.hashCode of an unsigned 32-bit value is its low 32 bits, Integer.hashCode the value:
    // either way the element's hash is the int held.
    for (int v : values) {
      h = 31 * h + v;
    }
    this.hash = h;
  }

  @Override
  public final int size() {
    return values.length;
  }

  @Override
  public final int hashCode() {
    return hash;
  }

  @Override
  public final boolean equals(Object o) {
    if (o == this) {
      return true;
    }
    // A list of the other kind holds the same ints as other boxes (Long against Integer): unequal,
    // as the element by element comparison of the general case finds.
    if (o != null && o.getClass() == getClass()) {
      IntValues<?> other = (IntValues<?>) o;
      return other.hash == hash && Arrays.equals(other.values, values);
    }
    return super.equals(o);
  }

  /** AS numbers: unsigned 32-bit values, seen as {@code Long}. */
  static final class Asns extends IntValues<Long> {
    static final Asns EMPTY = new Asns(new int[0]);

    Asns(int[] values) {
      super(values);
    }

    /**
     * These AS numbers as held values: the list itself when it is one, else a copy, each value
     * checked to be an unsigned 32-bit number (a null one throws NullPointerException, as {@link
     * List#copyOf} does).
     */
    static Asns copyOf(List<Long> asns) {
      if (asns instanceof Asns a) {
        return a;
      }
      int[] out = new int[asns.size()];
      for (int i = 0; i < out.length; i++) {
        long asn = asns.get(i);
        if (asn < 0 || asn > 0xffffffffL) {
          throw new IllegalArgumentException("AS number " + asn + " is outside 0..4294967295");
        }
        out[i] = (int) asn;
      }
      return new Asns(out);
    }

    /** The AS number at {@code index}, unsigned. */
    long asn(int index) {
      return Integer.toUnsignedLong(values[index]);
    }

    @Override
    public Long get(int index) {
      return asn(index);
    }

    @Override
    public int indexOf(Object o) {
      if (o instanceof Long l) {
        for (int i = 0; i < values.length; i++) {
          if (Integer.toUnsignedLong(values[i]) == l) {
            return i;
          }
        }
      }
      return -1;
    }
  }

  /** Communities: 32-bit values, seen as {@code Integer}. */
  static final class Ints extends IntValues<Integer> {
    Ints(int[] values) {
      super(values);
    }

    /** These values as held ones: the list itself when it is one, else a copy. */
    static Ints copyOf(List<Integer> values) {
      if (values instanceof Ints v) {
        return v;
      }
      int[] out = new int[values.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = values.get(i);
      }
      return new Ints(out);
    }

    @Override
    public Integer get(int index) {
      return values[index];
    }

    @Override
    public int indexOf(Object o) {
      if (o instanceof Integer x) {
        for (int i = 0; i < values.length; i++) {
          if (values[i] == x) {
            return i;
          }
        }
      }
      return -1;
    }
  }
}
