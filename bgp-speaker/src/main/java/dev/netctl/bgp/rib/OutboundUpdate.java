package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.BgpMessage;
import java.util.Objects;

/**
 * A message produced by an {@link UpdateGroup}: encode it once and write the same bytes to every
 * member the audience includes. Almost always an UPDATE; the markers framing an enhanced route
 * refresh (RFC 7313 §4) are ROUTE-REFRESH messages.
 *
 * @param message the message, at most the group's maximum message size when encoded
 * @param audience which members get it
 */
public record OutboundUpdate(BgpMessage message, Audience audience) {
  /** Validates. */
  public OutboundUpdate {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(audience, "audience");
  }

  /** The message as an UPDATE; fails for a route-refresh marker. */
  public BgpMessage.Update update() {
    if (message instanceof BgpMessage.Update u) {
      return u;
    }
    throw new IllegalStateException("outbound message is not an UPDATE: " + message);
  }
}
