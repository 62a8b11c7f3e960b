package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.BgpMessage;
import java.util.Objects;

/**
 * An UPDATE produced by an {@link UpdateGroup}: encode it once and write the same bytes to every
 * member the audience includes.
 *
 * @param update the message, at most the group's maximum message size when encoded
 * @param audience which members get it
 */
public record OutboundUpdate(BgpMessage.Update update, Audience audience) {
  /** Validates. */
  public OutboundUpdate {
    Objects.requireNonNull(update, "update");
    Objects.requireNonNull(audience, "audience");
  }
}
