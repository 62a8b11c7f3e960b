package dev.netctl.bgp.codec;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * An immutable view of the path attributes the decoder collected for one UPDATE (RFC 4271 §4.3),
 * which nothing changes once it is wrapped: an {@link BgpMessage.Update} keeps it as it is, where
 * {@code List.copyOf} of the decoder's list copied its array twice per UPDATE received. Equal to
 * any list of the same attributes.
 */
final class AttributeList extends AbstractList<PathAttribute> implements RandomAccess {
  private final List<PathAttribute> attributes;

  /** Wraps {@code attributes}, which the caller must not change afterwards. */
  AttributeList(List<PathAttribute> attributes) {
    this.attributes = attributes;
  }

  @Override
  public PathAttribute get(int index) {
    return attributes.get(index);
  }

  @Override
  public int size() {
    return attributes.size();
  }
}
