package dev.netctl.bgp.codec;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Path attribute type code (RFC 4271 §4.3, RFC 4760, RFC 6793, RFC 8092, RFC 4456, RFC 1997).
 *
 * <p>An open enum: {@link #valueOf(int)} never throws; codes without a name come back as an unknown
 * instance, so they can be carried through rather than rejected.
 */
public final class AttributeType {
  private static final Map<Integer, AttributeType> KNOWN = new ConcurrentHashMap<>();

  /** Code 1. */
  public static final AttributeType ORIGIN = register(1, "ORIGIN");

  /** Code 2. */
  public static final AttributeType AS_PATH = register(2, "AS_PATH");

  /** Code 3. */
  public static final AttributeType NEXT_HOP = register(3, "NEXT_HOP");

  /** Code 4. */
  public static final AttributeType MULTI_EXIT_DISC = register(4, "MULTI_EXIT_DISC");

  /** Code 5. */
  public static final AttributeType LOCAL_PREF = register(5, "LOCAL_PREF");

  /** Code 6. */
  public static final AttributeType ATOMIC_AGGREGATE = register(6, "ATOMIC_AGGREGATE");

  /** Code 7. */
  public static final AttributeType AGGREGATOR = register(7, "AGGREGATOR");

  /** Code 8. */
  public static final AttributeType COMMUNITIES = register(8, "COMMUNITIES");

  /** Code 9. */
  public static final AttributeType ORIGINATOR_ID = register(9, "ORIGINATOR_ID");

  /** Code 10. */
  public static final AttributeType CLUSTER_LIST = register(10, "CLUSTER_LIST");

  /** Code 14. */
  public static final AttributeType MP_REACH_NLRI = register(14, "MP_REACH_NLRI");

  /** Code 15. */
  public static final AttributeType MP_UNREACH_NLRI = register(15, "MP_UNREACH_NLRI");

  /** Code 17. */
  public static final AttributeType AS4_PATH = register(17, "AS4_PATH");

  /** Code 18. */
  public static final AttributeType AS4_AGGREGATOR = register(18, "AS4_AGGREGATOR");

  /** Code 32. */
  public static final AttributeType LARGE_COMMUNITY = register(32, "LARGE_COMMUNITY");

  private final int code;
  private final String name;

  private AttributeType(int code, String name) {
    this.code = code;
    this.name = name;
  }

  private static AttributeType register(int code, String name) {
    AttributeType value = new AttributeType(code, name);
    KNOWN.put(code, value);
    return value;
  }

  /**
   * Returns the named constant for {@code code}, or an unknown instance carrying it.
   *
   * @param code the wire value; only the low bits that fit the field (255 max) are meaningful
   */
  public static AttributeType valueOf(int code) {
    AttributeType known = KNOWN.get(code);
    return known != null ? known : new AttributeType(code, "UNKNOWN");
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
    return o instanceof AttributeType other && other.code == code;
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
