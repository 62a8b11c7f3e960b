package dev.netctl.bgp.codec;

import java.util.Objects;

/**
 * One reachability entry: a prefix plus the ADD-PATH path identifier (RFC 7911 §3).
 *
 * <p>{@code pathId} is only put on the wire when ADD-PATH is negotiated for the prefix's family in
 * that direction; otherwise it is 0 and ignored.
 *
 * @param pathId unsigned 32-bit path identifier held in an int
 * @param prefix the prefix
 */
public record Nlri(int pathId, Prefix prefix) {
  /** Validates the prefix is present. */
  public Nlri {
    Objects.requireNonNull(prefix, "prefix");
  }

  /** An entry without a path identifier. */
  public static Nlri of(Prefix prefix) {
    return new Nlri(0, prefix);
  }

  /** Parses a prefix literal into an entry without a path identifier. */
  public static Nlri of(String prefix) {
    return new Nlri(0, Prefix.parse(prefix));
  }

  // Written out: a record's generated equals/hashCode are method-handle chains the C1-only speaker
  // JVM does not inline; NLRI are compared and hashed per prefix outside the packed IPv4 path.
  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof Nlri n && pathId == n.pathId && prefix.equals(n.prefix));
  }

  @Override
  public int hashCode() {
    return pathId * 31 + prefix.hashCode();
  }

  @Override
  public String toString() {
    return pathId == 0 ? prefix.toString() : prefix + "#" + Integer.toUnsignedString(pathId);
  }
}
