package dev.netctl.bgp.codec;

/**
 * NOTIFICATION error code (RFC 4271 §4.5, RFC 6608, RFC 7313).
 *
 * <p>An open enum: {@link #valueOf(int)} never throws; codes without a name come back as an unknown
 * instance, so they can be carried through rather than rejected.
 */
public final class NotificationCode extends OpenCode {
  private static final Registry<NotificationCode> CODES = new Registry<>(NotificationCode::new);

  /** Code 1. */
  public static final NotificationCode MESSAGE_HEADER_ERROR =
      CODES.register(1, "MESSAGE_HEADER_ERROR");

  /** Code 2. */
  public static final NotificationCode OPEN_MESSAGE_ERROR = CODES.register(2, "OPEN_MESSAGE_ERROR");

  /** Code 3. */
  public static final NotificationCode UPDATE_MESSAGE_ERROR =
      CODES.register(3, "UPDATE_MESSAGE_ERROR");

  /** Code 4. */
  public static final NotificationCode HOLD_TIMER_EXPIRED = CODES.register(4, "HOLD_TIMER_EXPIRED");

  /** Code 5. */
  public static final NotificationCode FSM_ERROR = CODES.register(5, "FSM_ERROR");

  /** Code 6. */
  public static final NotificationCode CEASE = CODES.register(6, "CEASE");

  /** Code 7. */
  public static final NotificationCode ROUTE_REFRESH_MESSAGE_ERROR =
      CODES.register(7, "ROUTE_REFRESH_MESSAGE_ERROR");

  private NotificationCode(int code, String name) {
    super(code, name);
  }

  /**
   * Returns the named constant for {@code code}, or an unknown instance carrying it.
   *
   * @param code the wire value; only the low bits that fit the field (255 max) are meaningful
   */
  public static NotificationCode valueOf(int code) {
    return CODES.valueOf(code);
  }

  /** Whether this code has a name in this codec. */
  public boolean isKnown() {
    return CODES.isKnown(this);
  }
}
