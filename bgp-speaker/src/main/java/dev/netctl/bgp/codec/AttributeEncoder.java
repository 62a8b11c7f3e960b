package dev.netctl.bgp.codec;

import static dev.netctl.bgp.codec.PathAttribute.FLAG_EXTENDED_LENGTH;

import dev.netctl.bgp.codec.PathAttribute.Segment;
import dev.netctl.bgp.codec.PathAttribute.SegmentType;
import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes path attributes (RFC 4271 §4.3): ascending type order, extended length above 255 octets,
 * AS_PATH segments of at most 255 ASNs, and AS_TRANS plus AS4_PATH/AS4_AGGREGATOR toward 2-octet
 * peers (RFC 6793 §4.2.2).
 */
final class AttributeEncoder {
  private AttributeEncoder() {}

  /** Writes {@code attributes} in wire form to {@code out}. */
  static void writeAll(ByteBuf out, List<PathAttribute> attributes, CodecContext ctx) {
    OctetWriter w = scratch();
    writeAll(w, attributes, ctx);
    out.writeBytes(w.array(), 0, w.size());
    release(w);
  }

  /** {@code attributes} in wire form, in a new array of their encoded size. */
  static byte[] encode(List<PathAttribute> attributes, CodecContext ctx) {
    OctetWriter w = scratch();
    writeAll(w, attributes, ctx);
    byte[] wire = w.toByteArray();
    release(w);
    return wire;
  }

  /**
   * An IPv4 attribute set's attributes, {@code sorted} (see {@link UpdatePacker#encodeIpv4}), with
   * {@code hop} at index {@code at} ({@code all} is that list), in wire form in a new array. Toward
   * a 4-octet peer written straight from the array, the order and the types checked by the codes
   * the writes return: no list call and no second type() call per attribute of every new set.
   *
   * @throws IllegalArgumentException when {@code sorted} is out of order or holds NEXT_HOP,
   *     MP_REACH_NLRI or MP_UNREACH_NLRI, or as {@link #encode} does
   */
  static byte[] encodeIpv4(
      PathAttribute[] sorted,
      int at,
      PathAttribute.NextHop hop,
      List<PathAttribute> all,
      CodecContext ctx) {
    if (!ctx.fourOctetAs()) {
      int last = -1;
      for (int i = 0; i < sorted.length; i++) {
        last = checkIpv4(sorted[i], sorted[i].type().code() & 0xff, i, last);
      }
      return encode(all, ctx);
    }
    OctetWriter w = scratch();
    try {
      int last = -1;
      for (int i = 0; i < sorted.length; i++) {
        if (i == at) {
          write(w, hop, ctx);
        }
        last = checkIpv4(sorted[i], write(w, sorted[i], ctx) & 0xff, i, last);
      }
      if (at == sorted.length) {
        write(w, hop, ctx);
      }
      return w.toByteArray();
    } finally {
      release(w);
    }
  }

  // The code of attribute a, at index i of an IPv4 set after one of code last: refused when the
  // set may not hold it or it is out of order.
  private static int checkIpv4(PathAttribute a, int code, int i, int last) {
    if (code == AttributeType.NEXT_HOP.code()
        || code == AttributeType.MP_REACH_NLRI.code()
        || code == AttributeType.MP_UNREACH_NLRI.code()) {
      throw new IllegalArgumentException(
          "attribute "
              + a.type().name()
              + " at "
              + i
              + " of an IPv4 attribute set: NEXT_HOP goes apart, MP_REACH/MP_UNREACH not at all");
    }
    if (code <= last) {
      throw new IllegalArgumentException(
          "attribute type "
              + code
              + " at "
              + i
              + " of an IPv4 attribute set follows type "
              + last
              + ": must be in ascending type-code order");
    }
    return code;
  }

  /** Writes {@code attributes} in wire form to {@code out}. */
  static void writeAll(OctetWriter out, List<PathAttribute> attributes, CodecContext ctx) {
    if (ctx.fourOctetAs()) {
      // Toward a 4-octet peer a list in type order (the packer's) goes as it is: no copy to
      // convert or sort, once per attribute set sent. The order is checked as the attributes are
      // written (one type() call each, not two); a list out of order is written again sorted.
      int start = out.size();
      int last = -1;
      int i = 0;
      int n = attributes.size();
      for (; i < n; i++) {
        int code = write(out, attributes.get(i), ctx);
        if (code < last) {
          break;
        }
        last = code;
      }
      if (i == n) {
        return;
      }
      out.rewind(start);
    }
    List<PathAttribute> wire = forWire(attributes, ctx);
    for (int i = 0, n = wire.size(); i < n; i++) {
      write(out, wire.get(i), ctx);
    }
  }

  // Written into the thread's scratch writer and copied out once: a growing array per set encoded
  // would be garbage for every set a group sends. A write never runs inside another on one thread.
  private static OctetWriter scratch() {
    OctetWriter w = SCRATCH.get();
    w.reset();
    return w;
  }

  private static void release(OctetWriter w) {
    if (w.capacity() > SCRATCH_KEPT) {
      SCRATCH.remove(); // an exceptional set (a long AS path): not kept for the thread's lifetime
    }
  }

  private static final int SCRATCH_KEPT = 4096;
  private static final ThreadLocal<OctetWriter> SCRATCH =
      ThreadLocal.withInitial(() -> new OctetWriter(256));

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
   * Writes one attribute with its header and returns its type code. The value goes straight into
   * {@code out} behind a one-octet length, patched afterwards; only a value over 255 octets
   * (extended length, rare) is moved by one octet. A scratch buffer per attribute was the largest
   * allocator of a churn (docs/benchmarks.md, issue 14 session 7).
   */
  static int write(OctetWriter out, PathAttribute a, CodecContext ctx) {
    int start = out.size();
    int code = a.type().code();
    int flags = flagsFor(a, code) & ~FLAG_EXTENDED_LENGTH;
    out.writeByte(flags);
    out.writeByte(code);
    out.writeByte(0); // length, patched below
    int len;
    try {
      writeValue(out, a, ctx);
      len = out.size() - start - 3;
      if (len > 0xffff) {
        throw new IllegalArgumentException(
            "attribute " + a.type().name() + " value of " + len + " octets exceeds 65535");
      }
    } catch (RuntimeException e) {
      out.rewind(start);
      throw e;
    }
    if (len <= 255) {
      out.setByte(start + 2, len);
      return code;
    }
    out.openAt(start + 3);
    out.setByte(start, flags | FLAG_EXTENDED_LENGTH);
    out.setByte(start + 2, len >>> 8);
    out.setByte(start + 3, len);
    return code;
  }

  // Tests of the type in the order of how common the attributes are, not a pattern switch: C1
  // compiles the switch to a bootstrap call per use, and a test against a record class is one
  // compare. Loops, not forEach: no lambda per attribute written.
  private static void writeValue(OctetWriter v, PathAttribute a, CodecContext ctx) {
    if (a instanceof PathAttribute.Origin o) {
      v.writeByte(o.value().ordinal());
    } else if (a instanceof PathAttribute.AsPath p) {
      writeSegments(v, p.segments(), ctx.fourOctetAs(), "AS_PATH");
    } else if (a instanceof PathAttribute.NextHop n) {
      v.writeInt(Prefix.ipv4Int(n.address()));
    } else if (a instanceof PathAttribute.MultiExitDisc m) {
      v.writeInt((int) m.value());
    } else if (a instanceof PathAttribute.LocalPref l) {
      v.writeInt((int) l.value());
    } else if (a instanceof PathAttribute.Communities c) {
      // value(i): the list holds ints, and get(i) would box each one.
      for (int i = 0, n = c.values().size(); i < n; i++) {
        v.writeInt(c.value(i));
      }
    } else if (a instanceof PathAttribute.OriginatorId o) {
      v.writeInt(Prefix.ipv4Int(o.id()));
    } else if (a instanceof PathAttribute.ClusterList c) {
      List<Inet4Address> ids = c.clusterIds();
      for (int i = 0, n = ids.size(); i < n; i++) {
        v.writeInt(Prefix.ipv4Int(ids.get(i)));
      }
    } else if (a instanceof PathAttribute.AtomicAggregate) {
      // No value.
    } else if (a instanceof PathAttribute.Aggregator g) {
      if (ctx.fourOctetAs()) {
        v.writeInt((int) g.asn());
      } else {
        v.writeShort((int) g.asn());
      }
      v.writeBytes(g.address().getAddress());
    } else if (a instanceof PathAttribute.LargeCommunities c) {
      List<PathAttribute.LargeCommunity> values = c.values();
      for (int i = 0, n = values.size(); i < n; i++) {
        PathAttribute.LargeCommunity lc = values.get(i);
        v.writeInt((int) lc.globalAdmin());
        v.writeInt((int) lc.localData1());
        v.writeInt((int) lc.localData2());
      }
    } else if (a instanceof PathAttribute.MpReach r) {
      v.writeShort(r.family().afi().code());
      v.writeByte(r.family().safi().code());
      List<InetAddress> hops = r.nextHops();
      int nhLength = 0;
      for (int i = 0, n = hops.size(); i < n; i++) {
        nhLength += hops.get(i).getAddress().length;
      }
      v.writeByte(nhLength);
      for (int i = 0, n = hops.size(); i < n; i++) {
        v.writeBytes(hops.get(i).getAddress());
      }
      v.writeByte(0); // reserved
      NlriCodec.writeAll(v, r.nlri(), ctx.addPath(r.family()));
    } else if (a instanceof PathAttribute.MpUnreach u) {
      v.writeShort(u.family().afi().code());
      v.writeByte(u.family().safi().code());
      NlriCodec.writeAll(v, u.withdrawn(), ctx.addPath(u.family()));
    } else if (a instanceof PathAttribute.As4Path p) {
      writeSegments(v, p.segments(), true, "AS4_PATH");
    } else if (a instanceof PathAttribute.As4Aggregator g) {
      v.writeInt((int) g.asn());
      v.writeBytes(g.address().getAddress());
    } else if (a instanceof PathAttribute.Unknown u) {
      v.writeBytes(u.value());
    } else {
      throw new IllegalArgumentException("attribute " + a + " has no encoding");
    }
  }

  /** Segments, split so none holds more than 255 ASNs (the count is one octet). */
  private static void writeSegments(
      OctetWriter v, List<Segment> segments, boolean fourOctet, String name) {
    // Indexed loops: no iterator or sublist per segment of every AS path written.
    for (int k = 0, segmentCount = segments.size(); k < segmentCount; k++) {
      Segment s = segments.get(k);
      int size = s.asns().size();
      if (size == 0) {
        throw new IllegalArgumentException(name + " segment " + s.type() + " must not be empty");
      }
      for (int from = 0; from < size; from += 255) {
        int to = Math.min(size, from + 255);
        v.writeShort(s.type().code() << 8 | (to - from));
        for (int i = from; i < to; i++) {
          long asn = s.asn(i); // unboxed: get(i) would box every number
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
