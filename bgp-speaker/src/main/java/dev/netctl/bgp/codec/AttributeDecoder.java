package dev.netctl.bgp.codec;

import static dev.netctl.bgp.codec.PathAttribute.FLAG_OPTIONAL;
import static dev.netctl.bgp.codec.PathAttribute.FLAG_PARTIAL;
import static dev.netctl.bgp.codec.PathAttribute.FLAG_TRANSITIVE;

import dev.netctl.bgp.codec.PathAttribute.Segment;
import dev.netctl.bgp.codec.PathAttribute.SegmentType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses one path attribute from a slice of exactly its declared length and says what RFC 7606
 * wants done when it is malformed.
 */
final class AttributeDecoder {
  /** RFC 7606 §2 error-handling approaches, mildest last. */
  enum Action {
    SESSION_RESET,
    TREAT_AS_WITHDRAW,
    ATTRIBUTE_DISCARD
  }

  /**
   * Where the whole attribute (flags, type, length, value) lies in the attribute field: the data of
   * a NOTIFICATION about it (RFC 7606 §6 / RFC 4271 §6.3), copied out only when one is made. A copy
   * per attribute received was a tenth of decoding an UPDATE (docs/benchmarks.md, issue 14 session
   * 10).
   */
  record Whole(ByteBuf field, int start, int length) {
    byte[] bytes() {
      return ByteBufUtil.getBytes(field, start, length);
    }
  }

  /** A parse failure and the approach RFC 7606 prescribes for it. */
  record Failure(Action action, BgpError error) {}

  /** The outcome for one attribute: exactly one of the two is non-null. */
  record Outcome(PathAttribute attribute, Failure failure) {}

  private AttributeDecoder() {}

  // ORIGIN values by code: values() copies its array on every call, once per UPDATE received.
  private static final PathAttribute.OriginType[] ORIGINS = PathAttribute.OriginType.values();

  /** Expected optional/transitive bits per known type (RFC 4271 §5 and each attribute's RFC). */
  static int expectedFlags(int type) {
    return switch (type) {
      case 1, 2, 3, 5, 6 -> FLAG_TRANSITIVE;
      case 4, 9, 10, 14, 15 -> FLAG_OPTIONAL;
      case 7, 8, 16, 17, 18, 25, 32 -> FLAG_OPTIONAL | FLAG_TRANSITIVE;
      default -> -1;
    };
  }

  /** Approach for a malformed attribute of {@code type} (RFC 7606 §7, RFC 6793 §6, RFC 8092 §6). */
  static Action actionFor(int type) {
    return switch (type) {
      case 6, 7, 17, 18 -> Action.ATTRIBUTE_DISCARD;
      case 14, 15 -> Action.SESSION_RESET;
      default -> Action.TREAT_AS_WITHDRAW;
    };
  }

  /**
   * Decodes one attribute.
   *
   * @param flags the flags octet as received
   * @param type the type code
   * @param value a slice of exactly the declared length
   * @param whole the whole attribute (flags, type, length, value), used as NOTIFICATION data
   */
  static Outcome decode(int flags, int type, ByteBuf value, Whole whole, CodecContext ctx) {
    int expected = expectedFlags(type);
    if (expected < 0) {
      if ((flags & FLAG_OPTIONAL) == 0) {
        return fail(
            Action.SESSION_RESET,
            NotificationSubcode.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE,
            whole,
            "attribute type " + type + " is flagged well-known but is not recognized");
      }
      return new Outcome(new PathAttribute.Unknown(flags, type, ByteBufUtil.getBytes(value)), null);
    }
    boolean wellKnown = (expected & FLAG_OPTIONAL) == 0;
    if ((flags & (FLAG_OPTIONAL | FLAG_TRANSITIVE)) != expected
        || (wellKnown && (flags & FLAG_PARTIAL) != 0)) {
      return fail(
          actionFor(type),
          NotificationSubcode.ATTRIBUTE_FLAGS_ERROR,
          whole,
          "attribute "
              + AttributeType.valueOf(type).name()
              + " has flags 0x"
              + Integer.toHexString(flags)
              + ", expected optional/transitive bits 0x"
              + Integer.toHexString(expected));
    }
    try {
      return new Outcome(parse(flags, type, value, whole, ctx), null);
    } catch (MalformedException e) {
      return new Outcome(null, new Failure(actionFor(type), e.error()));
    }
  }

  private static Outcome fail(
      Action action, NotificationSubcode subcode, Whole data, String reason) {
    return new Outcome(null, new Failure(action, new BgpError(subcode, data.bytes(), reason)));
  }

  private static PathAttribute parse(int flags, int type, ByteBuf v, Whole whole, CodecContext ctx)
      throws MalformedException {
    int len = v.readableBytes();
    return switch (type) {
      case 1 -> {
        requireLength(type, len, 1, whole);
        int origin = v.readUnsignedByte();
        if (origin > 2) {
          throw new MalformedException(
              NotificationSubcode.INVALID_ORIGIN_ATTRIBUTE,
              whole.bytes(),
              "ORIGIN value " + origin + " is not IGP(0), EGP(1) or INCOMPLETE(2)");
        }
        yield new PathAttribute.Origin(ORIGINS[origin]);
      }
      case 2 ->
          new PathAttribute.AsPath(
              segments(v, ctx.fourOctetAs() ? 4 : 2, NotificationSubcode.MALFORMED_AS_PATH, type));
      case 3 -> {
        requireLength(type, len, 4, whole);
        Inet4Address nh = ipv4(v);
        int first = nh.getAddress()[0] & 0xff;
        if (nh.isAnyLocalAddress() || first >= 224) {
          throw new MalformedException(
              NotificationSubcode.INVALID_NEXT_HOP_ATTRIBUTE,
              whole.bytes(),
              "NEXT_HOP " + AddressText.of(nh) + " is not a unicast address");
        }
        yield new PathAttribute.NextHop(nh);
      }
      case 4 -> {
        requireLength(type, len, 4, whole);
        yield new PathAttribute.MultiExitDisc(v.readUnsignedInt());
      }
      case 5 -> {
        requireLength(type, len, 4, whole);
        yield new PathAttribute.LocalPref(v.readUnsignedInt());
      }
      case 6 -> {
        requireLength(type, len, 0, whole);
        yield new PathAttribute.AtomicAggregate();
      }
      case 7 -> {
        int asSize = ctx.fourOctetAs() ? 4 : 2;
        requireLength(type, len, asSize + 4, whole);
        long asn = asSize == 4 ? v.readUnsignedInt() : v.readUnsignedShort();
        yield new PathAttribute.Aggregator(asn, ipv4(v));
      }
      case 8 -> {
        requireMultiple(type, len, 4, whole);
        List<Integer> values = new ArrayList<>(len / 4);
        while (v.isReadable()) {
          values.add(v.readInt());
        }
        yield new PathAttribute.Communities(values);
      }
      case 9 -> {
        requireLength(type, len, 4, whole);
        yield new PathAttribute.OriginatorId(ipv4(v));
      }
      case 10 -> {
        requireMultiple(type, len, 4, whole);
        List<Inet4Address> ids = new ArrayList<>(len / 4);
        while (v.isReadable()) {
          ids.add(ipv4(v));
        }
        yield new PathAttribute.ClusterList(ids);
      }
      case 14 -> mpReach(v, whole, ctx);
      case 15 -> mpUnreach(v, whole, ctx);
      case 16, 25 -> {
        // Not interpreted, only passed on (Partial set as for any attribute we do not act on), but
        // checked as RFC 7606 §7.14/§7.15 say: one of a bad length forwarded as it came makes every
        // peer that checks it withdraw the route.
        requireMultiple(type, len, type == 16 ? 8 : 20, whole);
        yield new PathAttribute.Unknown(flags, type, ByteBufUtil.getBytes(v));
      }
      case 17 ->
          new PathAttribute.As4Path(
              segments(v, 4, NotificationSubcode.OPTIONAL_ATTRIBUTE_ERROR, type));
      case 18 -> {
        requireLength(type, len, 8, whole);
        yield new PathAttribute.As4Aggregator(v.readUnsignedInt(), ipv4(v));
      }
      case 32 -> {
        requireMultiple(type, len, 12, whole);
        List<PathAttribute.LargeCommunity> values = new ArrayList<>(len / 12);
        while (v.isReadable()) {
          values.add(
              new PathAttribute.LargeCommunity(
                  v.readUnsignedInt(), v.readUnsignedInt(), v.readUnsignedInt()));
        }
        yield new PathAttribute.LargeCommunities(values);
      }
      default ->
          throw new IllegalStateException("type " + type + " has expected flags but no parser");
    };
  }

  private static void requireLength(int type, int len, int expected, Whole whole)
      throws MalformedException {
    if (len != expected) {
      throw new MalformedException(
          NotificationSubcode.ATTRIBUTE_LENGTH_ERROR,
          whole.bytes(),
          nameOf(type) + " length " + len + " must be " + expected);
    }
  }

  private static void requireMultiple(int type, int len, int unit, Whole whole)
      throws MalformedException {
    if (len == 0 || len % unit != 0) {
      throw new MalformedException(
          NotificationSubcode.ATTRIBUTE_LENGTH_ERROR,
          whole.bytes(),
          nameOf(type) + " length " + len + " must be a non-zero multiple of " + unit);
    }
  }

  /** Segments per RFC 7606 §7.2: known type, non-zero count, no overrun, no 1-octet tail. */
  private static List<Segment> segments(
      ByteBuf v, int asSize, NotificationSubcode subcode, int type) throws MalformedException {
    List<Segment> out = new ArrayList<>();
    while (v.isReadable()) {
      if (v.readableBytes() < 2) {
        throw new MalformedException(
            subcode,
            new byte[0],
            nameOf(type) + " has a 1-octet tail where a segment header belongs");
      }
      int typeCode = v.readUnsignedByte();
      int count = v.readUnsignedByte();
      SegmentType segmentType = SegmentType.fromCode(typeCode);
      if (segmentType == null) {
        throw new MalformedException(
            subcode, new byte[0], nameOf(type) + " segment type " + typeCode + " is undefined");
      }
      if (count == 0) {
        throw new MalformedException(
            subcode, new byte[0], nameOf(type) + " has a segment of length 0");
      }
      if (v.readableBytes() < count * asSize) {
        throw new MalformedException(
            subcode,
            new byte[0],
            nameOf(type)
                + " segment of "
                + count
                + " ASNs overruns the attribute by "
                + (count * asSize - v.readableBytes())
                + " octets");
      }
      List<Long> asns = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        asns.add(asSize == 4 ? v.readUnsignedInt() : (long) v.readUnsignedShort());
      }
      out.add(new Segment(segmentType, asns));
    }
    return out;
  }

  private static PathAttribute mpReach(ByteBuf v, Whole whole, CodecContext ctx)
      throws MalformedException {
    if (v.readableBytes() < 5) {
      throw optionalError(whole, "MP_REACH_NLRI length " + v.readableBytes() + " is below 5");
    }
    AddressFamily family = AddressFamily.of(v.readUnsignedShort(), v.readUnsignedByte());
    int nhLen = v.readUnsignedByte();
    if (v.readableBytes() < nhLen + 1) {
      throw optionalError(
          whole, "MP_REACH_NLRI next hop length " + nhLen + " overruns the attribute");
    }
    if (!family.hasPrefixNlri()) {
      throw unsupportedFamily(family, whole);
    }
    List<InetAddress> nextHops = new ArrayList<>(2);
    switch (nhLen) {
      case 4 -> nextHops.add(ipv4(v));
      case 16 -> nextHops.add(address(v, 16));
      case 32 -> {
        nextHops.add(address(v, 16));
        nextHops.add(address(v, 16));
      }
      default ->
          throw optionalError(
              whole, "MP_REACH_NLRI next hop length " + nhLen + " is not 4, 16 or 32");
    }
    if (family.afi().equals(Afi.IPV6) && nhLen == 4) {
      throw optionalError(whole, "MP_REACH_NLRI IPv6 next hop length 4 is invalid");
    }
    v.skipBytes(1); // reserved (RFC 4760 §3): ignored on receipt
    List<Nlri> nlri =
        NlriCodec.read(
            v,
            family.afi().equals(Afi.IPV6),
            ctx.addPath(family),
            NotificationSubcode.OPTIONAL_ATTRIBUTE_ERROR);
    return new PathAttribute.MpReach(family, nextHops, nlri);
  }

  private static PathAttribute mpUnreach(ByteBuf v, Whole whole, CodecContext ctx)
      throws MalformedException {
    if (v.readableBytes() < 3) {
      throw optionalError(whole, "MP_UNREACH_NLRI length " + v.readableBytes() + " is below 3");
    }
    AddressFamily family = AddressFamily.of(v.readUnsignedShort(), v.readUnsignedByte());
    if (!family.hasPrefixNlri()) {
      throw unsupportedFamily(family, whole);
    }
    List<Nlri> nlri =
        NlriCodec.read(
            v,
            family.afi().equals(Afi.IPV6),
            ctx.addPath(family),
            NotificationSubcode.OPTIONAL_ATTRIBUTE_ERROR);
    return new PathAttribute.MpUnreach(family, nlri);
  }

  // The type's name goes into error messages only: looked up when one is made, not per attribute.
  private static String nameOf(int type) {
    return AttributeType.valueOf(type).name();
  }

  private static MalformedException optionalError(Whole whole, String reason) {
    return new MalformedException(
        NotificationSubcode.OPTIONAL_ATTRIBUTE_ERROR, whole.bytes(), reason);
  }

  /**
   * A family whose NLRI this codec cannot parse: the peer sent something never negotiated, and RFC
   * 4760 §7 answers that by resetting the session.
   */
  private static MalformedException unsupportedFamily(AddressFamily family, Whole whole) {
    return optionalError(whole, "MP attribute family " + family + " is not supported");
  }

  private static Inet4Address ipv4(ByteBuf v) {
    return (Inet4Address) address(v, 4);
  }

  private static InetAddress address(ByteBuf v, int size) {
    byte[] b = new byte[size];
    v.readBytes(b);
    try {
      // Inet6Address directly: InetAddress.getByAddress would turn ::ffff:a.b.c.d into IPv4.
      return size == 16 ? Inet6Address.getByAddress(null, b, -1) : InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("address of " + size + " octets rejected", e);
    }
  }
}
