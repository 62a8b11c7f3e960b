package dev.netctl.bgp.codec;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Subsequent Address Family Identifier (RFC 4760 §6).
 *
 * <p>An open enum: {@link #valueOf(int)} never throws; codes without a name come back as an unknown
 * instance, so they can be carried through rather than rejected.
 */
public final class Safi {
  private static final Map<Integer, Safi> KNOWN = new ConcurrentHashMap<>();

  /** Code 1. */
  public static final Safi UNICAST = register(1, "UNICAST");

  /** Code 2. */
  public static final Safi MULTICAST = register(2, "MULTICAST");

  private final int code;
  private final String name;

  private Safi(int code, String name) {
    this.code = code;
    this.name = name;
  }

  private static Safi register(int code, String name) {
    Safi value = new Safi(code, name);
    KNOWN.put(code, value);
    return value;
  }

  /**
   * Returns the named constant for {@code code}, or an unknown instance carrying it.
   *
   * @param code the wire value; only the low bits that fit the field (255 max) are meaningful
   */
  public static Safi valueOf(int code) {
    Safi known = KNOWN.get(code);
    return known != null ? known : new Safi(code, "UNKNOWN");
  }

  /** The wire value. */
  public int code() {
    return code;
  }

  /** The constant's name, or {@code UNKNOWN}. */
  public String name() {
    return name;
  }

  /** Whether this code has a name in this codec. */
  public boolean isKnown() {
    return KNOWN.get(code) == this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Safi other && other.code == code;
  }

  @Override
  public int hashCode() {
    return Integer.hashCode(code);
  }

  @Override
  public String toString() {
    return name + "(" + code + ")";
  }
}
