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
 * Parses one path attribute from exactly its declared length and says what RFC 7606 wants done when
 * it is malformed.
 *
 * <p>The parser reads the attribute field itself, its readable bytes narrowed to the attribute's
 * value (see {@link #decode}): it cannot read past the value, as with a slice, without a slice, an
 * outcome and a position object per attribute received (three of a churn's largest allocations on
 * the event loop, docs/benchmarks.md, issue 14 session 15).
 */
final class AttributeDecoder {
  /** RFC 7606 §2 error-handling approaches, mildest last. */
  enum Action {
    SESSION_RESET,
    TREAT_AS_WITHDRAW,
    ATTRIBUTE_DISCARD
  }

  /**
   * A malformed attribute and the approach RFC 7606 prescribes for it. Thrown, not returned: a
   * well-formed attribute, nearly every one, then costs no outcome object. Carries no stack trace,
   * as {@link MalformedException}.
   */
  static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Action action;
    private final transient BgpError error;

    Failure(Action action, BgpError error) {
      super(error.reason(), null, false, false);
      this.action = action;
      this.error = error;
    }

    Action action() {
      return action;
    }

    BgpError error() {
      return error;
    }
  }

  private AttributeDecoder() {}

  // ORIGIN attributes by value, shared (records, immutable): values() copied its array on every
  // call, and there are only three.
  private static final PathAttribute.Origin[] ORIGINS = {
    new PathAttribute.Origin(PathAttribute.OriginType.IGP),
    new PathAttribute.Origin(PathAttribute.OriginType.EGP),
    new PathAttribute.Origin(PathAttribute.OriginType.INCOMPLETE)
  };

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
   * @param m the array that holds the message ({@code v}'s)
   * @param at where the value starts in {@code m}
   * @param length the value's length
   * @param v the buffer over {@code m}: the attribute field, narrowed here to the value (its
   *     readable octets, from the value's first to its last) when the value must be parsed
   * @param start where the whole attribute (flags, type, length, value) starts in {@code v}: the
   *     NOTIFICATION data (RFC 7606 §6 / RFC 4271 §6.3) runs from there to the value's end, and is
   *     copied out only when one is made
   * @throws Failure when the attribute is malformed
   */
  static PathAttribute decode(
      int flags, int type, byte[] m, int at, int length, ByteBuf v, int start, CodecContext ctx)
      throws Failure {
    int expected = expectedFlags(type);
    if (expected < 0
        || (flags & (FLAG_OPTIONAL | FLAG_TRANSITIVE)) != expected
        || ((expected & FLAG_OPTIONAL) == 0 && (flags & FLAG_PARTIAL) != 0)) {
      return unexpected(flags, type, expected, value(v, start, flags, length), start);
    }
    // The common values read from the array where they lie, without the buffer's index and
    // reference-count checks per octet (virtual calls the C1-only speaker does not inline): an
    // ORIGIN, and a value that came recently (see RecentAttributes), whose flags are checked
    // above and whose octets parsed without error then.
    if (type == 1 && length == 1 && (m[at] & 0xff) <= 2) {
      return ORIGINS[m[at]];
    }
    int kind = 0;
    int hash = 0;
    boolean recent = RecentAttributes.kept(type) && length <= RecentAttributes.MAX_LENGTH;
    if (recent) {
      kind = RecentAttributes.kind(type, ctx);
      hash = RecentAttributes.hash(kind, m, at, length);
      PathAttribute seen = RecentAttributes.find(kind, hash, m, at, length);
      if (seen != null) {
        return seen;
      }
    }
    PathAttribute a;
    try {
      a = parse(flags, type, value(v, start, flags, length), start, ctx);
    } catch (MalformedException e) {
      throw new Failure(actionFor(type), e.error());
    }
    if (recent) {
      RecentAttributes.keep(kind, hash, m, at, length, a);
    }
    return a;
  }

  /**
   * {@code v} narrowed to the value of the attribute at {@code start}: readable from its first
   * octet to its last, the writer index at its end.
   */
  private static ByteBuf value(ByteBuf v, int start, int flags, int length) {
    int from = start + ((flags & PathAttribute.FLAG_EXTENDED_LENGTH) != 0 ? 4 : 3);
    return v.setIndex(from, from + length);
  }

  /**
   * An attribute of a type this speaker does not know, or with the wrong flags: an unknown optional
   * one is kept, the rest fail as RFC 4271 §6.3 and RFC 7606 say.
   */
  private static PathAttribute unexpected(int flags, int type, int expected, ByteBuf v, int start)
      throws Failure {
    if (expected < 0) {
      if ((flags & FLAG_OPTIONAL) == 0) {
        throw fail(
            Action.SESSION_RESET,
            NotificationSubcode.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE,
            whole(v, start),
            "attribute type " + type + " is flagged well-known but is not recognized");
      }
      return new PathAttribute.Unknown(flags, type, ByteBufUtil.getBytes(v));
    }
    throw fail(
        actionFor(type),
        NotificationSubcode.ATTRIBUTE_FLAGS_ERROR,
        whole(v, start),
        "attribute "
            + AttributeType.valueOf(type).name()
            + " has flags 0x"
            + Integer.toHexString(flags)
            + ", expected optional/transitive bits 0x"
            + Integer.toHexString(expected));
  }

  /** The whole attribute as received, from {@code start} to the value's end (the writer index). */
  static byte[] whole(ByteBuf v, int start) {
    return ByteBufUtil.getBytes(v, start, v.writerIndex() - start);
  }

  private static Failure fail(
      Action action, NotificationSubcode subcode, byte[] data, String reason) {
    return new Failure(action, new BgpError(subcode, data, reason));
  }

  private static PathAttribute parse(int flags, int type, ByteBuf v, int start, CodecContext ctx)
      throws MalformedException {
    int len = v.readableBytes();
    return switch (type) {
      case 1 -> {
        requireLength(v, type, len, 1, start);
        int origin = v.readUnsignedByte();
        if (origin > 2) {
          throw new MalformedException(
              NotificationSubcode.INVALID_ORIGIN_ATTRIBUTE,
              whole(v, start),
              "ORIGIN value " + origin + " is not IGP(0), EGP(1) or INCOMPLETE(2)");
        }
        yield ORIGINS[origin];
      }
      case 2 ->
          new PathAttribute.AsPath(
              segments(v, ctx.fourOctetAs() ? 4 : 2, NotificationSubcode.MALFORMED_AS_PATH, type));
      case 3 -> {
        requireLength(v, type, len, 4, start);
        // Checked on the octets: getAddress() copies them.
        int first = v.getUnsignedByte(v.readerIndex());
        boolean any = v.getInt(v.readerIndex()) == 0;
        Inet4Address nh = ipv4(v);
        if (any || first >= 224) {
          throw new MalformedException(
              NotificationSubcode.INVALID_NEXT_HOP_ATTRIBUTE,
              whole(v, start),
              "NEXT_HOP " + AddressText.of(nh) + " is not a unicast address");
        }
        yield new PathAttribute.NextHop(nh);
      }
      case 4 -> {
        requireLength(v, type, len, 4, start);
        yield new PathAttribute.MultiExitDisc(v.readUnsignedInt());
      }
      case 5 -> {
        requireLength(v, type, len, 4, start);
        yield new PathAttribute.LocalPref(v.readUnsignedInt());
      }
      case 6 -> {
        requireLength(v, type, len, 0, start);
        yield new PathAttribute.AtomicAggregate();
      }
      case 7 -> {
        int asSize = ctx.fourOctetAs() ? 4 : 2;
        requireLength(v, type, len, asSize + 4, start);
        long asn = asSize == 4 ? v.readUnsignedInt() : v.readUnsignedShort();
        yield new PathAttribute.Aggregator(asn, ipv4(v));
      }
      case 8 -> {
        requireMultiple(v, type, len, 4, start);
        int[] values = new int[len / 4];
        for (int i = 0; i < values.length; i++) {
          values[i] = v.readInt();
        }
        yield new PathAttribute.Communities(new IntValues.Ints(values));
      }
      case 9 -> {
        requireLength(v, type, len, 4, start);
        yield new PathAttribute.OriginatorId(ipv4(v));
      }
      case 10 -> {
        requireMultiple(v, type, len, 4, start);
        List<Inet4Address> ids = new ArrayList<>(len / 4);
        while (v.isReadable()) {
          ids.add(ipv4(v));
        }
        yield new PathAttribute.ClusterList(ids);
      }
      case 14 -> mpReach(v, start, ctx);
      case 15 -> mpUnreach(v, start, ctx);
      case 16, 25 -> {
        // Not interpreted, only passed on (Partial set as for any attribute we do not act on), but
        // checked as RFC 7606 §7.14/§7.15 say: one of a bad length forwarded as it came makes every
        // peer that checks it withdraw the route.
        requireMultiple(v, type, len, type == 16 ? 8 : 20, start);
        yield new PathAttribute.Unknown(flags, type, ByteBufUtil.getBytes(v));
      }
      case 17 ->
          new PathAttribute.As4Path(
              segments(v, 4, NotificationSubcode.OPTIONAL_ATTRIBUTE_ERROR, type));
      case 18 -> {
        requireLength(v, type, len, 8, start);
        yield new PathAttribute.As4Aggregator(v.readUnsignedInt(), ipv4(v));
      }
      case 32 -> {
        requireMultiple(v, type, len, 12, start);
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

  private static void requireLength(ByteBuf v, int type, int len, int expected, int start)
      throws MalformedException {
    if (len != expected) {
      throw new MalformedException(
          NotificationSubcode.ATTRIBUTE_LENGTH_ERROR,
          whole(v, start),
          nameOf(type) + " length " + len + " must be " + expected);
    }
  }

  private static void requireMultiple(ByteBuf v, int type, int len, int unit, int start)
      throws MalformedException {
    if (len == 0 || len % unit != 0) {
      throw new MalformedException(
          NotificationSubcode.ATTRIBUTE_LENGTH_ERROR,
          whole(v, start),
          nameOf(type) + " length " + len + " must be a non-zero multiple of " + unit);
    }
  }

  /** Segments per RFC 7606 §7.2: known type, non-zero count, no overrun, no 1-octet tail. */
  private static List<Segment> segments(
      ByteBuf v, int asSize, NotificationSubcode subcode, int type) throws MalformedException {
    // Nearly every path is one segment: no list to grow for it.
    Segment first = null;
    List<Segment> out = null;
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
      // The numbers as ints (4-octet ones unsigned through the list), no box per number.
      int[] asns = new int[count];
      for (int i = 0; i < count; i++) {
        asns[i] = asSize == 4 ? v.readInt() : v.readUnsignedShort();
      }
      Segment segment = new Segment(segmentType, new IntValues.Asns(asns));
      if (first == null) {
        first = segment;
      } else {
        if (out == null) {
          out = new ArrayList<>();
          out.add(first);
        }
        out.add(segment);
      }
    }
    return out != null ? out : first != null ? List.of(first) : List.of();
  }

  private static PathAttribute mpReach(ByteBuf v, int start, CodecContext ctx)
      throws MalformedException {
    if (v.readableBytes() < 5) {
      throw optionalError(v, start, "MP_REACH_NLRI length " + v.readableBytes() + " is below 5");
    }
    AddressFamily family = AddressFamily.of(v.readUnsignedShort(), v.readUnsignedByte());
    int nhLen = v.readUnsignedByte();
    if (v.readableBytes() < nhLen + 1) {
      throw optionalError(
          v, start, "MP_REACH_NLRI next hop length " + nhLen + " overruns the attribute");
    }
    if (!family.hasPrefixNlri()) {
      throw unsupportedFamily(v, family, start);
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
              v, start, "MP_REACH_NLRI next hop length " + nhLen + " is not 4, 16 or 32");
    }
    if (family.afi().equals(Afi.IPV6) && nhLen == 4) {
      throw optionalError(v, start, "MP_REACH_NLRI IPv6 next hop length 4 is invalid");
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

  private static PathAttribute mpUnreach(ByteBuf v, int start, CodecContext ctx)
      throws MalformedException {
    if (v.readableBytes() < 3) {
      throw optionalError(v, start, "MP_UNREACH_NLRI length " + v.readableBytes() + " is below 3");
    }
    AddressFamily family = AddressFamily.of(v.readUnsignedShort(), v.readUnsignedByte());
    if (!family.hasPrefixNlri()) {
      throw unsupportedFamily(v, family, start);
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

  private static MalformedException optionalError(ByteBuf v, int start, String reason) {
    return new MalformedException(
        NotificationSubcode.OPTIONAL_ATTRIBUTE_ERROR, whole(v, start), reason);
  }

  /**
   * A family whose NLRI this codec cannot parse: the peer sent something never negotiated, and RFC
   * 4760 §7 answers that by resetting the session.
   */
  private static MalformedException unsupportedFamily(ByteBuf v, AddressFamily family, int start) {
    return optionalError(v, start, "MP attribute family " + family + " is not supported");
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
