package dev.netctl.bgp.session;

import dev.netctl.bgp.codec.BgpDecoder;
import dev.netctl.bgp.codec.CodecContext;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the TCP stream into BGP messages using the length at offset 16 (RFC 4271 §4.1).
 *
 * <p>A length outside 19..max is not a framing exception here: the 19-octet header is passed on
 * alone, so the decoder reports Bad Message Length with the exact length field, and everything
 * after it is discarded because the stream can no longer be trusted.
 */
final class BgpFrameDecoder extends ByteToMessageDecoder {
  private int maxMessageSize = CodecContext.MAX_MESSAGE_SIZE;
  private boolean broken;

  /** Raises the limit after RFC 8654 extended messages were negotiated. */
  void maxMessageSize(int size) {
    this.maxMessageSize = size;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (broken) {
      in.skipBytes(in.readableBytes());
      return;
    }
    while (in.readableBytes() >= BgpDecoder.HEADER_SIZE) {
      int length = in.getUnsignedShort(in.readerIndex() + 16);
      if (length < BgpDecoder.HEADER_SIZE || length > maxMessageSize) {
        out.add(in.readRetainedSlice(BgpDecoder.HEADER_SIZE));
        broken = true;
        in.skipBytes(in.readableBytes());
        return;
      }
      if (in.readableBytes() < length) {
        return;
      }
      out.add(in.readRetainedSlice(length));
    }
  }
}
