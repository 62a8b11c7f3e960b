package dev.netctl.bgp.codec;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * NOTIFICATION error code (RFC 4271 §4.5, RFC 6608, RFC 7313).
 *
 * <p>An open enum: {@link #valueOf(int)} never throws; codes without a name come back as an unknown
 * instance, so they can be carried through rather than rejected.
 */
public final class NotificationCode {
  private static final Map<Integer, NotificationCode> KNOWN = new ConcurrentHashMap<>();

  /** Code 1. */
  public static final NotificationCode MESSAGE_HEADER_ERROR = register(1, "MESSAGE_HEADER_ERROR");

  /** Code 2. */
  public static final NotificationCode OPEN_MESSAGE_ERROR = register(2, "OPEN_MESSAGE_ERROR");

  /** Code 3. */
  public static final NotificationCode UPDATE_MESSAGE_ERROR = register(3, "UPDATE_MESSAGE_ERROR");

  /** Code 4. */
  public static final NotificationCode HOLD_TIMER_EXPIRED = register(4, "HOLD_TIMER_EXPIRED");

  /** Code 5. */
  public static final NotificationCode FSM_ERROR = register(5, "FSM_ERROR");

  /** Code 6. */
  public static final NotificationCode CEASE = register(6, "CEASE");

  /** Code 7. */
  public static final NotificationCode ROUTE_REFRESH_MESSAGE_ERROR =
      register(7, "ROUTE_REFRESH_MESSAGE_ERROR");

  private final int code;
  private final String name;

  private NotificationCode(int code, String name) {
    this.code = code;
    this.name = name;
  }

  private static NotificationCode register(int code, String name) {
    NotificationCode value = new NotificationCode(code, name);
    KNOWN.put(code, value);
    return value;
  }

  /**
   * Returns the named constant for {@code code}, or an unknown instance carrying it.
   *
   * @param code the wire value; only the low bits that fit the field (255 max) are meaningful
   */
  public static NotificationCode valueOf(int code) {
    NotificationCode known = KNOWN.get(code);
    return known != null ? known : new NotificationCode(code, "UNKNOWN");
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
    return o instanceof NotificationCode other && other.code == code;
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
