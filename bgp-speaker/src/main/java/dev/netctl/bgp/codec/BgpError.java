package dev.netctl.bgp.codec;

import dev.netctl.bgp.codec.BgpMessage.Notification;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A protocol error found in a received message: the NOTIFICATION that RFC 4271 §6 prescribes for
 * it, and a sentence for logs naming the field, the value and the rule.
 *
 * <p>Under RFC 7606 many UPDATE errors no longer reset the session; the error is still described
 * this way so callers can log the exact code, subcode and data.
 *
 * @param subcode the error code and subcode
 * @param data the NOTIFICATION data field
 * @param reason human-readable explanation
 */
public record BgpError(NotificationSubcode subcode, byte[] data, String reason) {
  /** Validates and copies. */
  public BgpError {
    Objects.requireNonNull(subcode, "subcode");
    Objects.requireNonNull(reason, "reason");
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  /** The NOTIFICATION to send for this error. */
  public Notification toNotification() {
    return new Notification(subcode.code(), subcode.subcode(), data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BgpError e
        && e.subcode.equals(subcode)
        && Arrays.equals(e.data, data)
        && e.reason.equals(reason);
  }

  @Override
  public int hashCode() {
    return Objects.hash(subcode, Arrays.hashCode(data), reason);
  }

  @Override
  public String toString() {
    return subcode
        + (data.length == 0 ? "" : " data=" + HexFormat.of().formatHex(data))
        + ": "
        + reason;
  }
}
