package dev.netctl.bgp.codec;

import dev.netctl.bgp.codec.BgpMessage.Update;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of decoding one message; the decoder returns one of these and never throws.
 *
 * <p>The session acts on it: {@link Decoded} is processed, {@link TreatAsWithdraw} is processed as
 * a withdrawal of every prefix the UPDATE carried (RFC 7606 §2), {@link Failed} is answered with
 * its NOTIFICATION and the connection is closed (RFC 4271 §6).
 */
public sealed interface DecodeResult {
  /**
   * A well-formed message, possibly with attributes dropped under "attribute discard" (RFC 7606
   * §2).
   *
   * @param message the message
   * @param discarded errors of attributes that were dropped; empty for a clean message
   */
  record Decoded(BgpMessage message, List<BgpError> discarded) implements DecodeResult {
    /** Validates and copies. */
    public Decoded {
      Objects.requireNonNull(message, "message");
      discarded = List.copyOf(discarded);
    }
  }

  /**
   * An UPDATE whose attributes were malformed in a way RFC 7606 handles by withdrawing its routes.
   *
   * @param withdrawal an UPDATE withdrawing every prefix the bad one announced or withdrew
   * @param error the error, with the code/subcode/data RFC 4271 would have sent
   */
  record TreatAsWithdraw(Update withdrawal, BgpError error) implements DecodeResult {
    /** Validates. */
    public TreatAsWithdraw {
      Objects.requireNonNull(withdrawal, "withdrawal");
      Objects.requireNonNull(error, "error");
    }
  }

  /**
   * A message that must reset the session.
   *
   * @param error the NOTIFICATION to send and why
   */
  record Failed(BgpError error) implements DecodeResult {
    /** Validates. */
    public Failed {
      Objects.requireNonNull(error, "error");
    }
  }
}
