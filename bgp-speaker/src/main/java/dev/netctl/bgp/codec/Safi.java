package dev.netctl.bgp.codec;

/**
 * Subsequent Address Family Identifier (RFC 4760 §6).
 *
 * <p>An open enum: {@link #valueOf(int)} never throws; codes without a name come back as an unknown
 * instance, so they can be carried through rather than rejected.
 */
public final class Safi extends OpenCode {
  private static final Registry<Safi> CODES = new Registry<>(Safi::new);

  /** Code 1. */
  public static final Safi UNICAST = CODES.register(1, "UNICAST");

  /** Code 2. */
  public static final Safi MULTICAST = CODES.register(2, "MULTICAST");

  private Safi(int code, String name) {
    super(code, name);
  }

  /**
   * Returns the named constant for {@code code}, or an unknown instance carrying it.
   *
   * @param code the wire value; only the low bits that fit the field (255 max) are meaningful
   */
  public static Safi valueOf(int code) {
    return CODES.valueOf(code);
  }

  /** Whether this code has a name in this codec. */
  public boolean isKnown() {
    return CODES.isKnown(this);
  }
}
