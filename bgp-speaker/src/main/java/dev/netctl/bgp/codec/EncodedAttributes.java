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
  private final boolean asWidthOnly;

  private EncodedAttributes(List<PathAttribute> attributes, CodecContext ctx, byte[] wire) {
    this(attributes, ctx, wire, !hasMultiprotocol(attributes));
  }

  private EncodedAttributes(
      List<PathAttribute> attributes, CodecContext ctx, byte[] wire, boolean asWidthOnly) {
    this.attributes = attributes;
    this.ctx = ctx;
    this.wire = wire;
    this.asWidthOnly = asWidthOnly;
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

  /**
   * {@code sorted} (type-code order, no NEXT_HOP, MP_REACH_NLRI or MP_UNREACH_NLRI; kept, not
   * copied) with {@code hop} in its place, encoded for {@code ctx}: see {@link
   * UpdatePacker#encodeIpv4}.
   */
  static EncodedAttributes ipv4(
      PathAttribute[] sorted, PathAttribute.NextHop hop, CodecContext ctx) {
    // NEXT_HOP goes before the first attribute of a higher type code: after ORIGIN and AS_PATH in
    // most sets, so this looks at three. The rest is checked by the encoder as it writes them.
    int at = 0;
    while (at < sorted.length
        && (sorted[at].type().code() & 0xff) <= AttributeType.NEXT_HOP.code()) {
      at++;
    }
    List<PathAttribute> attributes = new WithNextHop(sorted, hop, at);
    return new EncodedAttributes(
        attributes, ctx, AttributeEncoder.encodeIpv4(sorted, at, hop, attributes, ctx), true);
  }

  /** The encoded octets' length. */
  int wireSize() {
    return wire.length;
  }

  /**
   * The wire form when it was encoded for {@code ctx} or one encoding alike, else null. Without
   * MP_REACH_NLRI or MP_UNREACH_NLRI (whose NLRI depend on ADD-PATH) the octets depend on the
   * context only through the AS width: groups that differ in ADD-PATH or extended messages share
   * one encoding instead of replacing each other's (message sizes are checked per UPDATE).
   */
  byte[] wireFor(CodecContext ctx) {
    if (ctx == this.ctx || ctx.equals(this.ctx)) return wire;
    return asWidthOnly && ctx.fourOctetAs() == this.ctx.fourOctetAs() ? wire : null;
  }

  private static boolean hasMultiprotocol(List<PathAttribute> attributes) {
    for (int i = 0, n = attributes.size(); i < n; i++) {
      PathAttribute a = attributes.get(i);
      if (a instanceof PathAttribute.MpReach || a instanceof PathAttribute.MpUnreach) return true;
    }
    return false;
  }

  @Override
  public PathAttribute get(int index) {
    return attributes.get(index);
  }

  @Override
  public int size() {
    return attributes.size();
  }

  /** An attribute array in type-code order with NEXT_HOP at index {@code at}, as a list. */
  private static final class WithNextHop extends AbstractList<PathAttribute>
      implements RandomAccess {
    private final PathAttribute[] sorted;
    private final PathAttribute.NextHop hop;
    private final int at;

    WithNextHop(PathAttribute[] sorted, PathAttribute.NextHop hop, int at) {
      this.sorted = sorted;
      this.hop = hop;
      this.at = at;
    }

    @Override
    public PathAttribute get(int index) {
      if (index < at) {
        return sorted[index];
      }
      if (index == at) {
        return hop;
      }
      return sorted[index - 1];
    }

    @Override
    public int size() {
      return sorted.length + 1;
    }
  }
}
