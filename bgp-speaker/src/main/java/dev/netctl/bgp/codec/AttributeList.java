package dev.netctl.bgp.codec;

import java.util.AbstractList;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * An immutable view of the path attributes the decoder collected for one UPDATE (RFC 4271 §4.3),
 * which nothing changes once it is wrapped: an {@link BgpMessage.Update} keeps it as it is, where
 * {@code List.copyOf} of the decoder's list copied its array twice per UPDATE received. The
 * decoder's own array, not an {@code ArrayList} of it: one object less per UPDATE received. Equal
 * to any list of the same attributes.
 */
final class AttributeList extends AbstractList<PathAttribute> implements RandomAccess {
  private final PathAttribute[] attributes;
  private final int size;

  /** Wraps the first {@code size} of {@code attributes}, which the caller must not change after. */
  AttributeList(PathAttribute[] attributes, int size) {
    this.attributes = attributes;
    this.size = size;
  }

  @Override
  public PathAttribute get(int index) {
    Objects.checkIndex(index, size);
    return attributes[index];
  }

  @Override
  public int size() {
    return size;
  }
}
