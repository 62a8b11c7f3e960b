package dev.netctl.bgp.codec;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * BGP Address Family Identifier (IANA address-family-numbers; RFC 4760 §3).
 *
 * <p>An open enum: {@link #valueOf(int)} never throws; codes without a name come back as an unknown
 * instance, so they can be carried through rather than rejected.
 */
public final class Afi {
  private static final Map<Integer, Afi> KNOWN = new ConcurrentHashMap<>();

  /** Code 1. */
  public static final Afi IPV4 = register(1, "IPV4");

  /** Code 2. */
  public static final Afi IPV6 = register(2, "IPV6");

  private final int code;
  private final String name;

  private Afi(int code, String name) {
    this.code = code;
    this.name = name;
  }

  private static Afi register(int code, String name) {
    Afi value = new Afi(code, name);
    KNOWN.put(code, value);
    return value;
  }

  /**
   * Returns the named constant for {@code code}, or an unknown instance carrying it.
   *
   * @param code the wire value; only the low bits that fit the field (65535 max) are meaningful
   */
  public static Afi valueOf(int code) {
    Afi known = KNOWN.get(code);
    return known != null ? known : new Afi(code, "UNKNOWN");
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
    return o instanceof Afi other && other.code == code;
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
