package dev.netctl.bgp.codec;

import dev.netctl.bgp.codec.BgpMessage.Keepalive;
import dev.netctl.bgp.codec.BgpMessage.Notification;
import dev.netctl.bgp.codec.BgpMessage.RouteRefresh;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.List;

/**
 * Decodes one complete BGP message (header included) into a {@link DecodeResult}. Never throws:
 * every malformation becomes the error RFC 4271 §6 or RFC 7606 prescribes.
 *
 * <p>Each field is read from a slice of exactly its declared length, and lengths are checked before
 * any read. The input buffer is read but neither retained nor released.
 */
public final class BgpDecoder {
  /** Length of the fixed header: marker, length, type (RFC 4271 §4.1). */
  public static final int HEADER_SIZE = 19;

  /** Reason prefix of the safety net; the fuzz test asserts it never fires. */
  static final String INTERNAL_ERROR = "internal decoder error: ";

  private BgpDecoder() {}

  /** Decodes a message from a byte array. */
  public static DecodeResult decode(byte[] message, CodecContext ctx) {
    return decode(Unpooled.wrappedBuffer(message), ctx);
  }

  /**
   * Decodes the readable bytes of {@code message}, which must be exactly one message.
   *
   * @param message header plus body
   * @param ctx what the session negotiated for this direction
   */
  public static DecodeResult decode(ByteBuf message, CodecContext ctx) {
    return decode(message, message.readerIndex(), message.readableBytes(), ctx);
  }

  /**
   * Decodes the {@code length} octets of {@code stream} from {@code from}, which must be exactly
   * one message, without moving its indices: a message framed where it lies in the received stream,
   * with no slice of it (an object, a reference count taken and given back, per message).
   *
   * @param ctx what the session negotiated for this direction
   */
  public static DecodeResult decode(ByteBuf stream, int from, int length, CodecContext ctx) {
    // Parsed from a heap copy: the received stream is a pooled direct buffer, where every octet
    // read goes through a few wrappers the C1-only speaker JVM does not inline; one copy of at
    // most 4096 octets (65535 extended) costs less than those reads. The copy goes to a buffer of
    // the thread's, reused for every message up to the standard size: nothing decoded keeps a
    // reference into it (values are copied out), and a new array and buffer per message were a
    // churn's garbage on the event loop.
    ByteBuf in;
    if (stream.hasArray()) {
      in = stream.slice(from, length);
    } else if (length <= CodecContext.MAX_MESSAGE_SIZE) {
      in = SCRATCH.get().clear().writeBytes(stream, from, length);
    } else {
      in = Unpooled.wrappedBuffer(ByteBufUtil.getBytes(stream, from, length));
    }
    try {
      return decodeChecked(in, ctx);
    } catch (MalformedException e) {
      return new DecodeResult.Failed(e.error());
    } catch (RuntimeException e) {
      // Safety net: a parser bug must not kill the channel. Reported like a bad message so the
      // session still resets cleanly; the fuzz test treats this reason as a failure.
      return new DecodeResult.Failed(
          new BgpError(NotificationSubcode.valueOf(1, 0), new byte[0], INTERNAL_ERROR + e));
    }
  }

  private static DecodeResult decodeChecked(ByteBuf in, CodecContext ctx)
      throws MalformedException {
    int size = in.readableBytes();
    if (size < HEADER_SIZE) {
      byte[] lengthField = size >= 18 ? ByteBufUtil.getBytes(in, 16, 2) : new byte[0];
      throw new MalformedException(
          NotificationSubcode.BAD_MESSAGE_LENGTH,
          lengthField,
          "message of " + size + " octets is shorter than the 19-octet header");
    }
    // Two reads for the usual all-ones marker; octet by octet only to name the wrong one.
    for (int i = in.getLong(0) == -1L && in.getLong(8) == -1L ? 16 : 0; i < 16; i++) {
      if (in.getByte(i) != (byte) 0xff) {
        throw new MalformedException(
            NotificationSubcode.CONNECTION_NOT_SYNCHRONIZED,
            new byte[0],
            "marker octet " + i + " is not 0xff");
      }
    }
    int length = in.getUnsignedShort(16);
    int type = in.getUnsignedByte(18);
    if (length < HEADER_SIZE || length > ctx.maxMessageSize() || length != size) {
      throw new MalformedException(
          NotificationSubcode.BAD_MESSAGE_LENGTH,
          lengthField(length),
          "header length "
              + length
              + (length != size ? " does not match the " + size + " octets framed" : "")
              + " must be within 19.."
              + ctx.maxMessageSize());
    }
    in.skipBytes(HEADER_SIZE);
    return switch (type) {
      case BgpMessage.TYPE_OPEN -> {
        // RFC 8654 §4: OPEN never exceeds 4096 octets.
        requireLength(length >= 29 && length <= CodecContext.MAX_MESSAGE_SIZE, "OPEN", length);
        yield decoded(OpenDecoder.decode(in, lengthField(length)));
      }
      case BgpMessage.TYPE_UPDATE -> {
        requireLength(length >= 23, "UPDATE", length);
        yield UpdateDecoder.decode(in, ctx);
      }
      case BgpMessage.TYPE_NOTIFICATION -> {
        requireLength(length >= 21, "NOTIFICATION", length);
        int code = in.readUnsignedByte();
        int subcode = in.readUnsignedByte();
        yield decoded(new Notification(code, subcode, ByteBufUtil.getBytes(in)));
      }
      case BgpMessage.TYPE_KEEPALIVE -> {
        requireLength(length == HEADER_SIZE, "KEEPALIVE", length);
        yield decoded(Keepalive.INSTANCE);
      }
      case BgpMessage.TYPE_ROUTE_REFRESH -> {
        requireLength(length >= 23, "ROUTE-REFRESH", length);
        int afi = in.readUnsignedShort();
        int subtype = in.readUnsignedByte();
        int safi = in.readUnsignedByte();
        if (length != 23) {
          if (subtype == 1 || subtype == 2) {
            // RFC 7313 §5: data is the complete ROUTE-REFRESH message.
            throw new MalformedException(
                NotificationSubcode.INVALID_ROUTE_REFRESH_LENGTH,
                ByteBufUtil.getBytes(in, 0, length),
                "ROUTE-REFRESH length " + length + " must be 23");
          }
          requireLength(false, "ROUTE-REFRESH", length);
        }
        yield decoded(new RouteRefresh(AddressFamily.of(afi, safi), subtype));
      }
      default ->
          throw new MalformedException(
              NotificationSubcode.BAD_MESSAGE_TYPE,
              new byte[] {(byte) type},
              "message type " + type + " is not 1..5");
    };
  }

  // A Netty FastThreadLocal, as NlriCodec's scratch: an array index on the event loop.
  private static final FastThreadLocal<ByteBuf> SCRATCH =
      new FastThreadLocal<>() {
        @Override
        protected ByteBuf initialValue() {
          return Unpooled.buffer(CodecContext.MAX_MESSAGE_SIZE, CodecContext.MAX_MESSAGE_SIZE);
        }
      };

  /**
   * The length field as received, big-endian: the data of a Bad Message Length NOTIFICATION (RFC
   * 4271 §6.1), made only for one, not per message received.
   */
  private static byte[] lengthField(int length) {
    return new byte[] {(byte) (length >> 8), (byte) length};
  }

  private static void requireLength(boolean ok, String type, int length) throws MalformedException {
    if (!ok) {
      throw new MalformedException(
          NotificationSubcode.BAD_MESSAGE_LENGTH,
          lengthField(length),
          type + " message length " + length + " is invalid for its type");
    }
  }

  private static DecodeResult decoded(BgpMessage message) {
    return new DecodeResult.Decoded(message, List.of());
  }
}
