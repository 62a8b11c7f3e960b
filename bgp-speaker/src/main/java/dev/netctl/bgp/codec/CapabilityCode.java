package dev.netctl.bgp.codec;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Capability code carried in an OPEN optional parameter (RFC 5492 §4).
 *
 * <p>An open enum: {@link #valueOf(int)} never throws; codes without a name come back as an unknown
 * instance, so they can be carried through rather than rejected.
 */
public final class CapabilityCode {
  private static final Map<Integer, CapabilityCode> KNOWN = new ConcurrentHashMap<>();

  /** Code 1. */
  public static final CapabilityCode MULTIPROTOCOL = register(1, "MULTIPROTOCOL");

  /** Code 2. */
  public static final CapabilityCode ROUTE_REFRESH = register(2, "ROUTE_REFRESH");

  /** Code 6. */
  public static final CapabilityCode EXTENDED_MESSAGE = register(6, "EXTENDED_MESSAGE");

  /** Code 64. */
  public static final CapabilityCode GRACEFUL_RESTART = register(64, "GRACEFUL_RESTART");

  /** Code 65. */
  public static final CapabilityCode FOUR_OCTET_AS = register(65, "FOUR_OCTET_AS");

  /** Code 69. */
  public static final CapabilityCode ADD_PATH = register(69, "ADD_PATH");

  /** Code 70. */
  public static final CapabilityCode ENHANCED_ROUTE_REFRESH =
      register(70, "ENHANCED_ROUTE_REFRESH");

  private final int code;
  private final String name;

  private CapabilityCode(int code, String name) {
    this.code = code;
    this.name = name;
  }

  private static CapabilityCode register(int code, String name) {
    CapabilityCode value = new CapabilityCode(code, name);
    KNOWN.put(code, value);
    return value;
  }

  /**
   * Returns the named constant for {@code code}, or an unknown instance carrying it.
   *
   * @param code the wire value; only the low bits that fit the field (255 max) are meaningful
   */
  public static CapabilityCode valueOf(int code) {
    CapabilityCode known = KNOWN.get(code);
    return known != null ? known : new CapabilityCode(code, "UNKNOWN");
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
    return o instanceof CapabilityCode other && other.code == code;
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
