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

  // Written out: a record's generated equals/hashCode are method-handle chains the C1-only speaker
  // JVM does not inline, and best-path publication compares routes per change.
  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof Route r
            && pathId == r.pathId
            && localId == r.localId
            && (attributes == r.attributes || attributes.equals(r.attributes))
            && (source == r.source || source.equals(r.source)));
  }

  @Override
  public int hashCode() {
    int h = source.hashCode();
    h = 31 * h + pathId;
    h = 31 * h + attributes.hashCode();
    return 31 * h + localId;
  }
}
