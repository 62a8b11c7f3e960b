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
    int h = 1;
    for (int i = 0; i < size; i++) {
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
