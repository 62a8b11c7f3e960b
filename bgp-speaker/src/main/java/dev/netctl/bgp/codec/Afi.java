package dev.netctl.bgp.codec;

/**
 * BGP Address Family Identifier (IANA address-family-numbers; RFC 4760 §3).
 *
 * <p>An open enum: {@link #valueOf(int)} never throws; codes without a name come back as an unknown
 * instance, so they can be carried through rather than rejected.
 */
public final class Afi extends OpenCode {
  private static final Registry<Afi> CODES = new Registry<>(Afi::new);

  /** Code 1. */
  public static final Afi IPV4 = CODES.register(1, "IPV4");

  /** Code 2. */
  public static final Afi IPV6 = CODES.register(2, "IPV6");

  private Afi(int code, String name) {
    super(code, name);
  }

  /**
   * Returns the named constant for {@code code}, or an unknown instance carrying it.
   *
   * @param code the wire value; only the low bits that fit the field (65535 max) are meaningful
   */
  public static Afi valueOf(int code) {
    return CODES.valueOf(code);
  }

  /** Whether this code has a name in this codec. */
  public boolean isKnown() {
    return CODES.isKnown(this);
  }
}
