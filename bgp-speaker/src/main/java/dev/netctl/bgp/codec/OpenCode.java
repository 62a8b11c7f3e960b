package dev.netctl.bgp.codec;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * The shared half of this codec's open enums (AFI, SAFI, attribute type, capability code,
 * notification code): a wire code with an optional name. Unlike a Java enum, a code without a name
 * is a valid value, so an unknown attribute or capability is carried through instead of rejected
 * (RFC 4271 §5, RFC 5492 §3).
 *
 * <p>Two values are equal when they are of the same type and carry the same code.
 */
public abstract class OpenCode {
  private final int code;
  private final String name;

  OpenCode(int code, String name) {
    this.code = code;
    this.name = name;
  }

  /** The wire value. */
  public final int code() {
    return code;
  }

  /** The constant's name, or {@code UNKNOWN}. */
  public final String name() {
    return name;
  }

  @Override
  public final boolean equals(Object o) {
    return o != null && o.getClass() == getClass() && ((OpenCode) o).code == code;
  }

  @Override
  public final int hashCode() {
    return Integer.hashCode(code);
  }

  @Override
  public final String toString() {
    return name + "(" + code + ")";
  }

  /** The named constants of one open enum type. */
  static final class Registry<T extends OpenCode> {
    private final Map<Integer, T> known = new ConcurrentHashMap<>();
    private final BiFunction<Integer, String, T> factory;

    Registry(BiFunction<Integer, String, T> factory) {
      this.factory = factory;
    }

    T register(int code, String name) {
      T value = factory.apply(code, name);
      known.put(code, value);
      return value;
    }

    /** The named constant for {@code code}, or an unknown instance carrying it; never throws. */
    T valueOf(int code) {
      T value = known.get(code);
      return value != null ? value : factory.apply(code, "UNKNOWN");
    }

    boolean isKnown(T value) {
      return known.get(value.code()) == value;
    }
  }
}
