package dev.netctl.bgp.codec;

/**
 * Path attribute type code (RFC 4271 §4.3, RFC 4760, RFC 6793, RFC 8092, RFC 4456, RFC 1997, RFC
 * 4360, RFC 5701).
 *
 * <p>An open enum: {@link #valueOf(int)} never throws; codes without a name come back as an unknown
 * instance, so they can be carried through rather than rejected.
 */
public final class AttributeType extends OpenCode {
  private static final Registry<AttributeType> CODES = new Registry<>(AttributeType::new);

  /** Code 1. */
  public static final AttributeType ORIGIN = CODES.register(1, "ORIGIN");

  /** Code 2. */
  public static final AttributeType AS_PATH = CODES.register(2, "AS_PATH");

  /** Code 3. */
  public static final AttributeType NEXT_HOP = CODES.register(3, "NEXT_HOP");

  /** Code 4. */
  public static final AttributeType MULTI_EXIT_DISC = CODES.register(4, "MULTI_EXIT_DISC");

  /** Code 5. */
  public static final AttributeType LOCAL_PREF = CODES.register(5, "LOCAL_PREF");

  /** Code 6. */
  public static final AttributeType ATOMIC_AGGREGATE = CODES.register(6, "ATOMIC_AGGREGATE");

  /** Code 7. */
  public static final AttributeType AGGREGATOR = CODES.register(7, "AGGREGATOR");

  /** Code 8. */
  public static final AttributeType COMMUNITIES = CODES.register(8, "COMMUNITIES");

  /** Code 9. */
  public static final AttributeType ORIGINATOR_ID = CODES.register(9, "ORIGINATOR_ID");

  /** Code 10. */
  public static final AttributeType CLUSTER_LIST = CODES.register(10, "CLUSTER_LIST");

  /** Code 14. */
  public static final AttributeType MP_REACH_NLRI = CODES.register(14, "MP_REACH_NLRI");

  /** Code 15. */
  public static final AttributeType MP_UNREACH_NLRI = CODES.register(15, "MP_UNREACH_NLRI");

  /** Code 16 (RFC 4360), checked and carried, not interpreted. */
  public static final AttributeType EXTENDED_COMMUNITIES =
      CODES.register(16, "EXTENDED_COMMUNITIES");

  /** Code 17. */
  public static final AttributeType AS4_PATH = CODES.register(17, "AS4_PATH");

  /** Code 18. */
  public static final AttributeType AS4_AGGREGATOR = CODES.register(18, "AS4_AGGREGATOR");

  /** Code 25 (RFC 5701), checked and carried, not interpreted. */
  public static final AttributeType IPV6_EXTENDED_COMMUNITIES =
      CODES.register(25, "IPV6_EXTENDED_COMMUNITIES");

  /** Code 32. */
  public static final AttributeType LARGE_COMMUNITY = CODES.register(32, "LARGE_COMMUNITY");

  private AttributeType(int code, String name) {
    super(code, name);
  }

  /**
   * Returns the named constant for {@code code}, or an unknown instance carrying it.
   *
   * @param code the wire value; only the low bits that fit the field (255 max) are meaningful
   */
  public static AttributeType valueOf(int code) {
    return CODES.valueOf(code);
  }

  /** Whether this code has a name in this codec. */
  public boolean isKnown() {
    return CODES.isKnown(this);
  }
}
