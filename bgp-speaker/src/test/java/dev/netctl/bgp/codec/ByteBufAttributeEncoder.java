package dev.netctl.bgp.codec;

import static dev.netctl.bgp.codec.PathAttribute.FLAG_EXTENDED_LENGTH;

import dev.netctl.bgp.codec.PathAttribute.Segment;
import dev.netctl.bgp.codec.PathAttribute.SegmentType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The attribute encoder as it was before it wrote into an {@link OctetWriter}: every octet through
 * a Netty {@code ByteBuf}. Kept as the oracle {@link AttributeEncoderTest} holds the array encoder
 * to, octet for octet.
 */
final class ByteBufAttributeEncoder {
  private ByteBufAttributeEncoder() {}

  /** Writes {@code attributes} in wire form to {@code out}. */
  static void writeAll(ByteBuf out, List<PathAttribute> attributes, CodecContext ctx) {
    // Toward a 4-octet peer a list in type order (the packer's) goes as it is: no copy to convert
    // or sort, once per attribute set sent.
    List<PathAttribute> wire =
        ctx.fourOctetAs() && inTypeOrder(attributes) ? attributes : forWire(attributes, ctx);
    for (int i = 0, n = wire.size(); i < n; i++) {
      write(out, wire.get(i), ctx);
    }
  }

  private static boolean inTypeOrder(List<PathAttribute> attributes) {
    for (int i = 1, n = attributes.size(); i < n; i++) {
      if (attributes.get(i - 1).type().code() > attributes.get(i).type().code()) {
        return false;
      }
    }
    return true;
  }

  /** {@code attributes} in wire form, in a new array of their encoded size. */
  static byte[] encode(List<PathAttribute> attributes, CodecContext ctx) {
    // Written into the thread's scratch buffer and copied out once: a growing buffer per set
    // encoded would be garbage for every set a group sends.
    ByteBuf tmp = SIZING.get().clear();
    writeAll(tmp, attributes, ctx);
    byte[] wire = ByteBufUtil.getBytes(tmp);
    if (tmp.capacity() > SIZING_KEPT) {
      SIZING.remove(); // an exceptional set (a long AS path): not kept for the thread's lifetime
    }
    return wire;
  }

  private static final int SIZING_KEPT = 4096;
  private static final ThreadLocal<ByteBuf> SIZING =
      ThreadLocal.withInitial(() -> Unpooled.buffer(256));

  /** The attributes as they go on the wire: AS4 conversion applied, sorted by type code. */
  static List<PathAttribute> forWire(List<PathAttribute> attributes, CodecContext ctx) {
    List<PathAttribute> out = new ArrayList<>(attributes);
    if (!ctx.fourOctetAs()) {
      boolean hasAs4Path = out.stream().anyMatch(a -> a instanceof PathAttribute.As4Path);
      boolean hasAs4Aggregator =
          out.stream().anyMatch(a -> a instanceof PathAttribute.As4Aggregator);
      for (int i = 0; i < out.size(); i++) {
        if (out.get(i) instanceof PathAttribute.AsPath p && needsAs4(p.segments())) {
          out.set(i, new PathAttribute.AsPath(substituteAsTrans(p.segments())));
          if (!hasAs4Path) {
            // RFC 6793 §4.2.2: AS4_PATH carries no confederation segments.
            out.add(
                new PathAttribute.As4Path(
                    p.segments().stream()
                        .filter(
                            s ->
                                s.type() == SegmentType.AS_SEQUENCE
                                    || s.type() == SegmentType.AS_SET)
                        .toList()));
          }
        } else if (out.get(i) instanceof PathAttribute.Aggregator g && g.asn() > 0xffff) {
          out.set(i, new PathAttribute.Aggregator(BgpMessage.AS_TRANS, g.address()));
          if (!hasAs4Aggregator) {
            out.add(new PathAttribute.As4Aggregator(g.asn(), g.address()));
          }
        }
      }
    }
    PathAttribute.sortByTypeCode(out);
    return out;
  }

  private static boolean needsAs4(List<Segment> segments) {
    return segments.stream().flatMap(s -> s.asns().stream()).anyMatch(asn -> asn > 0xffff);
  }

  private static List<Segment> substituteAsTrans(List<Segment> segments) {
    return segments.stream()
        .map(
            s ->
                new Segment(
                    s.type(),
                    s.asns().stream().map(a -> a > 0xffff ? BgpMessage.AS_TRANS : a).toList()))
        .toList();
  }

  private static int flagsFor(PathAttribute a, int code) {
    if (a instanceof PathAttribute.Unknown u) {
      return u.flags();
    }
    return AttributeDecoder.expectedFlags(code);
  }

  /**
   * Writes one attribute with its header. The value goes straight into {@code out} behind a
   * one-octet length, patched afterwards; only a value over 255 octets (extended length, rare) is
   * moved by one octet. A scratch buffer per attribute was the largest allocator of a churn
   * (docs/benchmarks.md, issue 14 session 7).
   */
  static void write(ByteBuf out, PathAttribute a, CodecContext ctx) {
    int start = out.writerIndex();
    int code = a.type().code();
    int flags = flagsFor(a, code) & ~FLAG_EXTENDED_LENGTH;
    out.writeShort(flags << 8 | code);
    out.writeByte(0); // length, patched below
    int len;
    try {
      writeValue(out, a, ctx);
      len = out.writerIndex() - start - 3;
      if (len > 0xffff) {
        throw new IllegalArgumentException(
            "attribute " + a.type().name() + " value of " + len + " octets exceeds 65535");
      }
    } catch (RuntimeException e) {
      out.writerIndex(start);
      throw e;
    }
    if (len <= 255) {
      out.setByte(start + 2, len);
      return;
    }
    byte[] value = ByteBufUtil.getBytes(out, start + 3, len);
    out.writerIndex(start);
    out.writeByte(flags | FLAG_EXTENDED_LENGTH);
    out.writeByte(code);
    out.writeShort(len);
    out.writeBytes(value);
  }

  private static void writeValue(ByteBuf v, PathAttribute a, CodecContext ctx) {
    // Loops, not forEach: no lambda per attribute written.
    switch (a) {
      case PathAttribute.Origin o -> v.writeByte(o.value().ordinal());
      case PathAttribute.AsPath p -> writeSegments(v, p.segments(), ctx.fourOctetAs(), "AS_PATH");
      case PathAttribute.NextHop n -> v.writeBytes(n.address().getAddress());
      case PathAttribute.MultiExitDisc m -> v.writeInt((int) m.value());
      case PathAttribute.LocalPref l -> v.writeInt((int) l.value());
      case PathAttribute.AtomicAggregate x -> {}
      case PathAttribute.Aggregator g -> {
        if (ctx.fourOctetAs()) {
          v.writeInt((int) g.asn());
        } else {
          v.writeShort((int) g.asn());
        }
        v.writeBytes(g.address().getAddress());
      }
      case PathAttribute.Communities c -> {
        List<Integer> values = c.values();
        for (int i = 0, n = values.size(); i < n; i++) {
          v.writeInt(values.get(i));
        }
      }
      case PathAttribute.OriginatorId o -> v.writeBytes(o.id().getAddress());
      case PathAttribute.ClusterList c -> {
        List<Inet4Address> ids = c.clusterIds();
        for (int i = 0, n = ids.size(); i < n; i++) {
          v.writeBytes(ids.get(i).getAddress());
        }
      }
      case PathAttribute.MpReach r -> {
        v.writeShort(r.family().afi().code());
        v.writeByte(r.family().safi().code());
        int nhLength = r.nextHops().stream().mapToInt(h -> h.getAddress().length).sum();
        v.writeByte(nhLength);
        for (InetAddress h : r.nextHops()) {
          v.writeBytes(h.getAddress());
        }
        v.writeByte(0); // reserved
        boolean addPath = ctx.addPath(r.family());
        NlriCodec.writeAll(v, r.nlri(), addPath);
      }
      case PathAttribute.MpUnreach u -> {
        v.writeShort(u.family().afi().code());
        v.writeByte(u.family().safi().code());
        boolean addPath = ctx.addPath(u.family());
        NlriCodec.writeAll(v, u.withdrawn(), addPath);
      }
      case PathAttribute.As4Path p -> writeSegments(v, p.segments(), true, "AS4_PATH");
      case PathAttribute.As4Aggregator g -> {
        v.writeInt((int) g.asn());
        v.writeBytes(g.address().getAddress());
      }
      case PathAttribute.LargeCommunities c ->
          c.values()
              .forEach(
                  lc -> {
                    v.writeInt((int) lc.globalAdmin());
                    v.writeInt((int) lc.localData1());
                    v.writeInt((int) lc.localData2());
                  });
      case PathAttribute.Unknown u -> v.writeBytes(u.value());
    }
  }

  /** Segments, split so none holds more than 255 ASNs (the count is one octet). */
  private static void writeSegments(
      ByteBuf v, List<Segment> segments, boolean fourOctet, String name) {
    // Indexed loops: no iterator or sublist per segment of every AS path written.
    for (int k = 0, segmentCount = segments.size(); k < segmentCount; k++) {
      Segment s = segments.get(k);
      List<Long> asns = s.asns();
      int size = asns.size();
      if (size == 0) {
        throw new IllegalArgumentException(name + " segment " + s.type() + " must not be empty");
      }
      for (int from = 0; from < size; from += 255) {
        int to = Math.min(size, from + 255);
        v.writeShort(s.type().code() << 8 | (to - from));
        for (int i = from; i < to; i++) {
          long asn = asns.get(i);
          if (fourOctet) {
            v.writeInt((int) asn);
          } else {
            v.writeShort((int) asn);
          }
        }
      }
    }
  }
}
