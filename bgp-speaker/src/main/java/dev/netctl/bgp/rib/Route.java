package dev.netctl.bgp.rib;

import java.util.Objects;

/**
 * One path in the Loc-RIB: who sent it, its ADD-PATH id, and its attributes after import policy.
 * Immutable, and deliberately without its prefix (which the table key already holds): there is one
 * of these per path per prefix, so it is kept at 32 bytes.
 *
 * @param source the peer it was learned from ({@link Peer#LOCAL} for our own)
 * @param pathId the path id the peer sent (RFC 7911 §3), 0 without ADD-PATH
 * @param attributes interned attributes after import processing
 * @param localId our path id for this path when we send it with ADD-PATH; unique per prefix
 */
public record Route(Peer source, int pathId, AttributeSet attributes, int localId) {
  /** Validates. */
  public Route {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(attributes, "attributes");
  }
}
