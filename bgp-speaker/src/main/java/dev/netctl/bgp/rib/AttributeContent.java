package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.PathAttribute;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An attribute set's content as the interner compares it (RFC 4271 §5 attributes, without NEXT_HOP,
 * and the next hops held apart): the hash and equality of attributes given as the first {@code
 * size} of an array (a lookup's is the one being built, perhaps longer), with the next hops. No
 * object per lookup: compared element by element, the same object first, where a list's {@code
 * equals} took an iterator and an interface call per element on every UPDATE received. Matched
 * against the sets the interner holds ({@link AttributeSet#sameContent}).
 */
final class AttributeContent {
  private AttributeContent() {}

  /** As List.hashCode of the attributes, combined with the next hops. */
  static int hash(
      PathAttribute[] attributes, int size, InetAddress nextHop, InetAddress linkLocal) {
    return hash(1, attributes, 0, size, nextHop, linkLocal);
  }

  /**
   * The hash of a set's attributes that begin with those of a set whose hash is {@code hash} (with
   * the same next hops), followed by {@code attributes} from {@code from} to {@code size}: the
   * attributes of the first are not hashed again (a reflected set, a thousand per churn, adds
   * ORIGINATOR_ID and CLUSTER_LIST after the attributes of the set it reflects).
   */
  static int extended(
      int hash,
      PathAttribute[] attributes,
      int from,
      int size,
      InetAddress nextHop,
      InetAddress linkLocal) {
    // hash = (h * 31 + next hop) * 31 + link-local, with h the attributes' List.hashCode: undone
    // modulo 2^32, where 961 (31 * 31) is odd and so has an inverse.
    int h = (hash - 31 * Objects.hashCode(nextHop) - Objects.hashCode(linkLocal)) * INVERSE_961;
    return hash(h, attributes, from, size, nextHop, linkLocal);
  }

  // 961 * INVERSE_961 == 1 in int arithmetic.
  private static final int INVERSE_961 = 0xcc520c41;

  private static int hash(
      int h,
      PathAttribute[] attributes,
      int from,
      int size,
      InetAddress nextHop,
      InetAddress linkLocal) {
    for (int i = from; i < size; i++) {
      h = 31 * h + attributes[i].hashCode();
    }
    return (h * 31 + Objects.hashCode(nextHop)) * 31 + Objects.hashCode(linkLocal);
  }

  /**
   * Whether the first {@code size} of {@code mine} and the first {@code theirSize} of {@code
   * theirs}, with the next hops, are the same content.
   */
  static boolean same(
      PathAttribute[] mine,
      int size,
      InetAddress nextHop,
      InetAddress linkLocal,
      PathAttribute[] theirs,
      int theirSize,
      InetAddress theirNextHop,
      InetAddress theirLinkLocal) {
    if (theirSize != size) {
      return false;
    }
    for (int i = 0; i < size; i++) {
      PathAttribute a = mine[i];
      PathAttribute b = theirs[i];
      if (a != b && (a.getClass() != b.getClass() || !a.equals(b))) {
        return false;
      }
    }
    return Objects.equals(theirNextHop, nextHop) && Objects.equals(theirLinkLocal, linkLocal);
  }
}
