package dev.netctl.bgp.codec;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * NOTIFICATION error subcode, which only has a meaning together with its code (RFC 4271 §4.5, RFC
 * 4486 for Cease, RFC 7313 for ROUTE-REFRESH).
 *
 * <p>An open enum: {@link #valueOf(int, int)} never throws and returns an unknown instance for
 * pairs without a name.
 */
public final class NotificationSubcode {
  private static final Map<Integer, NotificationSubcode> KNOWN = new ConcurrentHashMap<>();

  /** Header: marker not all ones (RFC 4271 §6.1). */
  public static final NotificationSubcode CONNECTION_NOT_SYNCHRONIZED =
      register(1, 1, "CONNECTION_NOT_SYNCHRONIZED");

  /** Header: length out of range or wrong for the type (RFC 4271 §6.1). */
  public static final NotificationSubcode BAD_MESSAGE_LENGTH = register(1, 2, "BAD_MESSAGE_LENGTH");

  /** Header: unknown message type (RFC 4271 §6.1). */
  public static final NotificationSubcode BAD_MESSAGE_TYPE = register(1, 3, "BAD_MESSAGE_TYPE");

  /** OPEN: version other than 4 (RFC 4271 §6.2). */
  public static final NotificationSubcode UNSUPPORTED_VERSION_NUMBER =
      register(2, 1, "UNSUPPORTED_VERSION_NUMBER");

  /** OPEN: AS not the configured one (RFC 4271 §6.2). */
  public static final NotificationSubcode BAD_PEER_AS = register(2, 2, "BAD_PEER_AS");

  /** OPEN: BGP identifier invalid (RFC 4271 §6.2, RFC 6286). */
  public static final NotificationSubcode BAD_BGP_IDENTIFIER = register(2, 3, "BAD_BGP_IDENTIFIER");

  /** OPEN: optional parameter not understood (RFC 4271 §6.2). */
  public static final NotificationSubcode UNSUPPORTED_OPTIONAL_PARAMETER =
      register(2, 4, "UNSUPPORTED_OPTIONAL_PARAMETER");

  /** OPEN: hold time 1 or 2, or refused (RFC 4271 §6.2). */
  public static final NotificationSubcode UNACCEPTABLE_HOLD_TIME =
      register(2, 6, "UNACCEPTABLE_HOLD_TIME");

  /** OPEN: a required capability is missing (RFC 5492 §5). */
  public static final NotificationSubcode UNSUPPORTED_CAPABILITY =
      register(2, 7, "UNSUPPORTED_CAPABILITY");

  /** UPDATE: lengths do not add up (RFC 4271 §6.3). */
  public static final NotificationSubcode MALFORMED_ATTRIBUTE_LIST =
      register(3, 1, "MALFORMED_ATTRIBUTE_LIST");

  /** UPDATE: well-known attribute with an unknown type code (RFC 4271 §6.3). */
  public static final NotificationSubcode UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE =
      register(3, 2, "UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE");

  /** UPDATE: mandatory attribute absent (RFC 4271 §6.3). */
  public static final NotificationSubcode MISSING_WELL_KNOWN_ATTRIBUTE =
      register(3, 3, "MISSING_WELL_KNOWN_ATTRIBUTE");

  /** UPDATE: flags conflict with the type code (RFC 4271 §6.3). */
  public static final NotificationSubcode ATTRIBUTE_FLAGS_ERROR =
      register(3, 4, "ATTRIBUTE_FLAGS_ERROR");

  /** UPDATE: length wrong for the type (RFC 4271 §6.3). */
  public static final NotificationSubcode ATTRIBUTE_LENGTH_ERROR =
      register(3, 5, "ATTRIBUTE_LENGTH_ERROR");

  /** UPDATE: ORIGIN value undefined (RFC 4271 §6.3). */
  public static final NotificationSubcode INVALID_ORIGIN_ATTRIBUTE =
      register(3, 6, "INVALID_ORIGIN_ATTRIBUTE");

  /** UPDATE: NEXT_HOP syntactically or semantically wrong (RFC 4271 §6.3). */
  public static final NotificationSubcode INVALID_NEXT_HOP_ATTRIBUTE =
      register(3, 8, "INVALID_NEXT_HOP_ATTRIBUTE");

  /** UPDATE: a recognized optional attribute is malformed (RFC 4271 §6.3). */
  public static final NotificationSubcode OPTIONAL_ATTRIBUTE_ERROR =
      register(3, 9, "OPTIONAL_ATTRIBUTE_ERROR");

  /** UPDATE: NLRI field syntactically wrong (RFC 4271 §6.3). */
  public static final NotificationSubcode INVALID_NETWORK_FIELD =
      register(3, 10, "INVALID_NETWORK_FIELD");

  /** UPDATE: AS_PATH syntactically wrong (RFC 4271 §6.3). */
  public static final NotificationSubcode MALFORMED_AS_PATH = register(3, 11, "MALFORMED_AS_PATH");

  /** FSM error: unexpected message in OpenSent (RFC 6608). */
  public static final NotificationSubcode FSM_UNEXPECTED_IN_OPEN_SENT =
      register(5, 1, "FSM_UNEXPECTED_IN_OPEN_SENT");

  /** FSM error: unexpected message in OpenConfirm (RFC 6608). */
  public static final NotificationSubcode FSM_UNEXPECTED_IN_OPEN_CONFIRM =
      register(5, 2, "FSM_UNEXPECTED_IN_OPEN_CONFIRM");

  /** FSM error: unexpected message in Established (RFC 6608). */
  public static final NotificationSubcode FSM_UNEXPECTED_IN_ESTABLISHED =
      register(5, 3, "FSM_UNEXPECTED_IN_ESTABLISHED");

  /** Cease: prefix limit reached (RFC 4486 §4). */
  public static final NotificationSubcode MAXIMUM_PREFIXES_REACHED =
      register(6, 1, "MAXIMUM_PREFIXES_REACHED");

  /** Cease: administratively shut down (RFC 4486). */
  public static final NotificationSubcode ADMINISTRATIVE_SHUTDOWN =
      register(6, 2, "ADMINISTRATIVE_SHUTDOWN");

  /** Cease: peer de-configured (RFC 4486). */
  public static final NotificationSubcode PEER_DECONFIGURED = register(6, 3, "PEER_DECONFIGURED");

  /** Cease: administratively reset (RFC 4486). */
  public static final NotificationSubcode ADMINISTRATIVE_RESET =
      register(6, 4, "ADMINISTRATIVE_RESET");

  /** Cease: connection rejected (RFC 4486 §4): e.g. a dynamic range is at its limit. */
  public static final NotificationSubcode CONNECTION_REJECTED =
      register(6, 5, "CONNECTION_REJECTED");

  /** Cease: other configuration change (RFC 4486 §4): the peer was reset to apply new settings. */
  public static final NotificationSubcode OTHER_CONFIGURATION_CHANGE =
      register(6, 6, "OTHER_CONFIGURATION_CHANGE");

  /** Cease: connection collision resolution (RFC 4486, RFC 4271 §6.8). */
  public static final NotificationSubcode CONNECTION_COLLISION_RESOLUTION =
      register(6, 7, "CONNECTION_COLLISION_RESOLUTION");

  /** Cease: out of resources (RFC 4486). */
  public static final NotificationSubcode OUT_OF_RESOURCES = register(6, 8, "OUT_OF_RESOURCES");

  /**
   * Cease: hard reset (RFC 8538 §3): ends a session whose routes must not be kept, even where
   * graceful restart covers NOTIFICATIONs; the data carries the reason as a nested code, subcode
   * and data.
   */
  public static final NotificationSubcode HARD_RESET = register(6, 9, "HARD_RESET");

  /** ROUTE-REFRESH: invalid length (RFC 7313 §5). */
  public static final NotificationSubcode INVALID_ROUTE_REFRESH_LENGTH =
      register(7, 1, "INVALID_ROUTE_REFRESH_LENGTH");

  private final int code;
  private final int subcode;
  private final String name;

  private NotificationSubcode(int code, int subcode, String name) {
    this.code = code;
    this.subcode = subcode;
    this.name = name;
  }

  private static int key(int code, int subcode) {
    return (code & 0xff) << 8 | (subcode & 0xff);
  }

  private static NotificationSubcode register(int code, int subcode, String name) {
    NotificationSubcode value = new NotificationSubcode(code, subcode, name);
    KNOWN.put(key(code, subcode), value);
    return value;
  }

  /** Returns the named constant for the pair, or an unknown instance carrying it. */
  public static NotificationSubcode valueOf(int code, int subcode) {
    NotificationSubcode known = KNOWN.get(key(code, subcode));
    return known != null ? known : new NotificationSubcode(code, subcode, "UNKNOWN");
  }

  /** The error code this subcode belongs to. */
  public int code() {
    return code;
  }

  /** The subcode's wire value. */
  public int subcode() {
    return subcode;
  }

  /** The constant's name, or {@code UNKNOWN}. */
  public String name() {
    return name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NotificationSubcode other && other.code == code && other.subcode == subcode;
  }

  @Override
  public int hashCode() {
    return key(code, subcode);
  }

  @Override
  public String toString() {
    return name + "(" + code + "/" + subcode + ")";
  }
}
