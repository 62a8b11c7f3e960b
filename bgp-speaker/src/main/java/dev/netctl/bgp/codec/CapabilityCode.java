package dev.netctl.bgp.codec;

/**
 * Capability code carried in an OPEN optional parameter (RFC 5492 §4).
 *
 * <p>An open enum: {@link #valueOf(int)} never throws; codes without a name come back as an unknown
 * instance, so they can be carried through rather than rejected.
 */
public final class CapabilityCode extends OpenCode {
  private static final Registry<CapabilityCode> CODES = new Registry<>(CapabilityCode::new);

  /** Code 1. */
  public static final CapabilityCode MULTIPROTOCOL = CODES.register(1, "MULTIPROTOCOL");

  /** Code 2. */
  public static final CapabilityCode ROUTE_REFRESH = CODES.register(2, "ROUTE_REFRESH");

  /** Code 6. */
  public static final CapabilityCode EXTENDED_MESSAGE = CODES.register(6, "EXTENDED_MESSAGE");

  /** Code 64. */
  public static final CapabilityCode GRACEFUL_RESTART = CODES.register(64, "GRACEFUL_RESTART");

  /** Code 65. */
  public static final CapabilityCode FOUR_OCTET_AS = CODES.register(65, "FOUR_OCTET_AS");

  /** Code 69. */
  public static final CapabilityCode ADD_PATH = CODES.register(69, "ADD_PATH");

  /** Code 70. */
  public static final CapabilityCode ENHANCED_ROUTE_REFRESH =
      CODES.register(70, "ENHANCED_ROUTE_REFRESH");

  private CapabilityCode(int code, String name) {
    super(code, name);
  }

  /**
   * Returns the named constant for {@code code}, or an unknown instance carrying it.
   *
   * @param code the wire value; only the low bits that fit the field (255 max) are meaningful
   */
  public static CapabilityCode valueOf(int code) {
    return CODES.valueOf(code);
  }

  /** Whether this code has a name in this codec. */
  public boolean isKnown() {
    return CODES.isKnown(this);
  }
}
