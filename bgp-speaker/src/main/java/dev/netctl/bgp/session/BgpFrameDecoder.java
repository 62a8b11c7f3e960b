package dev.netctl.bgp.session;

import dev.netctl.bgp.codec.BgpDecoder;
import dev.netctl.bgp.codec.CodecContext;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the TCP stream into BGP messages using the length at offset 16 (RFC 4271 §4.1) and decodes
 * each where it lies in the stream, with the context negotiated for receiving: one message per
 * call, so that the session handles it (and sets the context its OPEN negotiated) before the next
 * is decoded. Framing and decoding were two handlers, with a retained slice per message between
 * them: an object, a reference count taken and given back, and a pass through a second decoder's
 * output list per message received (issue 14 session 19).
 *
 * <p>A length outside 19..max is not a framing exception here: the 19-octet header is decoded
 * alone, so the decoder reports Bad Message Length with the exact length field, and everything
 * after it is discarded because the stream can no longer be trusted.
 */
final class BgpFrameDecoder extends ByteToMessageDecoder {
  private int maxMessageSize = CodecContext.MAX_MESSAGE_SIZE;
  private CodecContext receive = CodecContext.INITIAL;
  private boolean broken;

  /**
   * Decodes from the next message on with what the OPENs negotiated for receiving, and raises the
   * limit when RFC 8654 extended messages were.
   */
  void receive(CodecContext context) {
    this.receive = context;
    this.maxMessageSize = context.maxMessageSize();
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (broken) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < BgpDecoder.HEADER_SIZE) {
      return;
    }
    int at = in.readerIndex();
    int length = in.getUnsignedShort(at + 16);
    if (length < BgpDecoder.HEADER_SIZE || length > maxMessageSize) {
      out.add(BgpDecoder.decode(in, at, BgpDecoder.HEADER_SIZE, receive));
      broken = true;
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < length) {
      return;
    }
    out.add(BgpDecoder.decode(in, at, length, receive));
    in.skipBytes(length);
  }
}
