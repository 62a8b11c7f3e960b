package dev.netctl.bgp.codec;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * An immutable list of path attributes that also holds their wire form for one {@link
 * CodecContext}. The packer encodes an attribute set once to size its UPDATEs, and the encoder
 * writes those octets again instead of encoding the set a second time (it did both per outgoing
 * UPDATE: docs/benchmarks.md, issue 14 session 8). Equal to any list of the same attributes.
 */
final class EncodedAttributes extends AbstractList<PathAttribute> implements RandomAccess {
  private final List<PathAttribute> attributes;
  private final CodecContext ctx;
  private final byte[] wire;

  private EncodedAttributes(List<PathAttribute> attributes, CodecContext ctx, byte[] wire) {
    this.attributes = attributes;
    this.ctx = ctx;
    this.wire = wire;
  }

  /**
   * Encodes {@code attributes} for {@code ctx}; throws as the encoder does for what cannot go. The
   * list is kept, not copied (the packer's own, changed by nobody afterwards): with the array
   * encoded it is all a packed attribute set allocates here, less than the second encoding and the
   * copy per UPDATE it replaces.
   */
  static EncodedAttributes of(List<PathAttribute> attributes, CodecContext ctx) {
    return new EncodedAttributes(attributes, ctx, AttributeEncoder.encode(attributes, ctx));
  }

  /** The encoded octets' length. */
  int wireSize() {
    return wire.length;
  }

  /** The wire form when it was encoded for {@code ctx} (or one encoding alike), else null. */
  byte[] wireFor(CodecContext ctx) {
    return ctx == this.ctx || ctx.equals(this.ctx) ? wire : null;
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
