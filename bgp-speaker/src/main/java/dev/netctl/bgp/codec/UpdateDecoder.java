package dev.netctl.bgp.codec;

import static dev.netctl.bgp.codec.PathAttribute.FLAG_EXTENDED_LENGTH;

import dev.netctl.bgp.codec.BgpMessage.Update;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Decodes an UPDATE body (RFC 4271 §4.3) with RFC 7606 revised error handling. */
final class UpdateDecoder {
  private UpdateDecoder() {}

  static DecodeResult decode(ByteBuf body, CodecContext ctx) throws MalformedException {
    if (body.readableBytes() < 4) {
      throw malformedList("UPDATE body of " + body.readableBytes() + " octets is below 4");
    }
    int withdrawnLength = body.readUnsignedShort();
    if (body.readableBytes() < withdrawnLength + 2) {
      throw malformedList(
          "withdrawn routes length "
              + withdrawnLength
              + " leaves no room for the attribute length in "
              + (body.readableBytes() + 2)
              + " octets");
    }
    // The fields are read where they lie in the body, not through a slice each: a slice is an
    // object, and the attributes' were one per attribute received.
    int withdrawnAt = body.readerIndex();
    body.skipBytes(withdrawnLength);
    int attributesLength = body.readUnsignedShort();
    if (body.readableBytes() < attributesLength) {
      throw malformedList(
          "total path attribute length "
              + attributesLength
              + " exceeds the "
              + body.readableBytes()
              + " octets left");
    }
    int attributesEnd = body.readerIndex() + attributesLength;
    int bodyEnd = body.writerIndex();

    boolean v4AddPath = ctx.addPath(AddressFamily.IPV4_UNICAST);
    List<Nlri> withdrawn =
        NlriCodec.read(
            body,
            withdrawnAt,
            withdrawnLength,
            false,
            v4AddPath,
            NotificationSubcode.INVALID_NETWORK_FIELD);
    List<Nlri> nlri =
        NlriCodec.read(
            body,
            attributesEnd,
            bodyEnd - attributesEnd,
            false,
            v4AddPath,
            NotificationSubcode.INVALID_NETWORK_FIELD);

    // An array, wrapped as it is at the end (AttributeList): eight slots hold a usual UPDATE's.
    PathAttribute[] attributes = new PathAttribute[8];
    int count = 0;
    // Made only when an attribute is discarded (rare); the types seen as bits, not a BitSet (an
    // object, an array and its invariant checks per UPDATE): codes 0-127, every type this speaker
    // knows, in two longs, higher codes in an array made only when one comes.
    List<BgpError> discarded = null;
    BgpError withdrawError = null;
    long seenLow = 0;
    long seenHigh = 0;
    long[] seenRest = null;
    // The headers are read from the message's array where they lie (every message BgpDecoder
    // decodes is a heap buffer; any other is copied once): a read through the buffer goes through
    // its index and reference-count checks, virtual calls the C1-only speaker does not inline, a
    // dozen per attribute (issue 14 session 19). The buffer itself is narrowed to an attribute's
    // value only when that value is parsed (AttributeDecoder.decode).
    ByteBuf field =
        body.hasArray() ? body : Unpooled.wrappedBuffer(ByteBufUtil.getBytes(body, 0, bodyEnd));
    byte[] m = field.array();
    int off = field.arrayOffset();
    int at = attributesEnd - attributesLength;
    while (at < attributesEnd) {
      int start = at;
      int remaining = attributesEnd - at;
      int flags = m[off + at] & 0xff;
      int headerSize = (flags & FLAG_EXTENDED_LENGTH) != 0 ? 4 : 3;
      if (remaining < headerSize) {
        // RFC 7606 §4: the attribute header overruns the total attribute length.
        withdrawError =
            first(
                withdrawError,
                new BgpError(
                    NotificationSubcode.MALFORMED_ATTRIBUTE_LIST,
                    new byte[0],
                    "attribute header needs " + headerSize + " octets, " + remaining + " left"));
        break;
      }
      int type = m[off + at + 1] & 0xff;
      int length =
          headerSize == 4
              ? (m[off + at + 2] & 0xff) << 8 | m[off + at + 3] & 0xff
              : m[off + at + 2] & 0xff;
      if (remaining < headerSize + length) {
        withdrawError =
            first(
                withdrawError,
                new BgpError(
                    NotificationSubcode.ATTRIBUTE_LENGTH_ERROR,
                    ByteBufUtil.getBytes(field, start, remaining),
                    "attribute "
                        + AttributeType.valueOf(type).name()
                        + " length "
                        + length
                        + " overruns the "
                        + (remaining - headerSize)
                        + " octets left of the attribute field"));
        break;
      }
      int valueEnd = start + headerSize + length;
      at = valueEnd;
      long bit = 1L << type; // the shift takes the code modulo 64
      boolean repeated;
      if (type < 64) {
        repeated = (seenLow & bit) != 0;
        seenLow |= bit;
      } else if (type < 128) {
        repeated = (seenHigh & bit) != 0;
        seenHigh |= bit;
      } else {
        seenRest = seenRest != null ? seenRest : new long[2];
        repeated = (seenRest[(type >>> 6) - 2] & bit) != 0;
        seenRest[(type >>> 6) - 2] |= bit;
      }
      if (repeated) {
        BgpError dup =
            new BgpError(
                NotificationSubcode.MALFORMED_ATTRIBUTE_LIST,
                new byte[0],
                "attribute " + AttributeType.valueOf(type).name() + " appears more than once");
        // RFC 7606 §3 (g): repeated MP_REACH/MP_UNREACH reset the session, others are dropped.
        if (type == 14 || type == 15) {
          return new DecodeResult.Failed(dup);
        }
        discarded = discard(discarded, dup);
        continue;
      }
      PathAttribute a;
      AttributeDecoder.Failure failure = null;
      try {
        a =
            AttributeDecoder.decode(
                flags, type, m, off + start + headerSize, length, field, start, ctx);
        if (ctx.fourOctetAs()
            && (a instanceof PathAttribute.As4Path || a instanceof PathAttribute.As4Aggregator)) {
          // RFC 6793 §3: a NEW speaker discards AS4_* received from a NEW speaker.
          discarded =
              discard(
                  discarded,
                  new BgpError(
                      NotificationSubcode.OPTIONAL_ATTRIBUTE_ERROR,
                      ByteBufUtil.getBytes(field, start, valueEnd - start),
                      a.type().name() + " received on a 4-octet AS session"));
          a = null;
        }
      } catch (AttributeDecoder.Failure f) {
        a = null;
        failure = f;
      }
      if (a != null) {
        if (count == attributes.length) {
          attributes = Arrays.copyOf(attributes, count * 2);
        }
        attributes[count++] = a;
      } else if (failure != null) {
        switch (failure.action()) {
          case SESSION_RESET -> {
            return new DecodeResult.Failed(failure.error());
          }
          case TREAT_AS_WITHDRAW -> withdrawError = first(withdrawError, failure.error());
          case ATTRIBUTE_DISCARD -> discarded = discard(discarded, failure.error());
        }
      }
    }
    // Past the message, whatever a parser read of it.
    body.setIndex(bodyEnd, bodyEnd);

    boolean announces = !nlri.isEmpty();
    for (int i = 0; i < count && !announces; i++) {
      announces = attributes[i] instanceof PathAttribute.MpReach r && !r.nlri().isEmpty();
    }
    if (withdrawError == null && announces) {
      // RFC 7606 §3 (d): a missing well-known mandatory attribute is treat-as-withdraw.
      int missing = -1;
      if ((seenLow & 1L << 1) == 0) {
        missing = 1;
      } else if ((seenLow & 1L << 2) == 0) {
        missing = 2;
      } else if (!nlri.isEmpty() && (seenLow & 1L << 3) == 0) {
        missing = 3;
      }
      if (missing > 0) {
        withdrawError =
            new BgpError(
                NotificationSubcode.MISSING_WELL_KNOWN_ATTRIBUTE,
                new byte[] {(byte) missing},
                "mandatory attribute " + AttributeType.valueOf(missing).name() + " is missing");
      }
    }
    if (withdrawError != null) {
      return new DecodeResult.TreatAsWithdraw(
          withdrawal(withdrawn, nlri, new AttributeList(attributes, count)), withdrawError);
    }
    // Senders SHOULD order attributes by type (RFC 4271 §5) but need not; our encoder always
    // does. Decoding into that canonical order makes equal routes equal values whatever the order
    // they arrived in, and makes decode(encode(decode(x))) == decode(x) (found by the fuzzer).
    sortByTypeCode(attributes, count);
    return new DecodeResult.Decoded(
        new Update(withdrawn, new AttributeList(attributes, count), nlri),
        discarded == null ? List.of() : discarded);
  }

  /** Sorts the first {@code n} by type code (stable), unless they are in that order already. */
  private static void sortByTypeCode(PathAttribute[] attributes, int n) {
    for (int i = 1; i < n; i++) {
      if (attributes[i - 1].type().code() > attributes[i].type().code()) {
        Arrays.sort(attributes, 0, n, Comparator.comparingInt(a -> a.type().code()));
        return;
      }
    }
  }

  private static List<BgpError> discard(List<BgpError> discarded, BgpError error) {
    List<BgpError> list = discarded == null ? new ArrayList<>() : discarded;
    list.add(error);
    return list;
  }

  /** Every prefix the UPDATE touched, as withdrawals (RFC 7606 §2 "treat-as-withdraw"). */
  static Update withdrawal(List<Nlri> withdrawn, List<Nlri> nlri, List<PathAttribute> attributes) {
    List<Nlri> v4 = new ArrayList<>(withdrawn);
    v4.addAll(nlri);
    // One MP_UNREACH per family: an UPDATE may carry each attribute type only once.
    Map<AddressFamily, List<Nlri>> byFamily = new LinkedHashMap<>();
    for (PathAttribute a : attributes) {
      if (a instanceof PathAttribute.MpUnreach u) {
        byFamily.computeIfAbsent(u.family(), f -> new ArrayList<>()).addAll(u.withdrawn());
      } else if (a instanceof PathAttribute.MpReach r) {
        byFamily.computeIfAbsent(r.family(), f -> new ArrayList<>()).addAll(r.nlri());
      }
    }
    List<PathAttribute> mp = new ArrayList<>();
    byFamily.entrySet().stream()
        .filter(e -> !e.getValue().isEmpty())
        .findFirst()
        .ifPresent(e -> mp.add(new PathAttribute.MpUnreach(e.getKey(), e.getValue())));
    return new Update(v4, mp, List.of());
  }

  private static BgpError first(BgpError current, BgpError candidate) {
    return current != null ? current : candidate;
  }

  private static MalformedException malformedList(String reason) {
    return new MalformedException(
        NotificationSubcode.MALFORMED_ATTRIBUTE_LIST, new byte[0], reason);
  }
}
