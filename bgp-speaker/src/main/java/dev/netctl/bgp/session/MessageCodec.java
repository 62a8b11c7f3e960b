package dev.netctl.bgp.session;

import dev.netctl.bgp.codec.BgpDecoder;
import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.CodecContext;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import java.util.List;

/**
 * Turns frames into {@link dev.netctl.bgp.codec.DecodeResult}s and messages into bytes, with the
 * contexts negotiated for each direction. The session sets the contexts on the same event loop
 * thread that runs this handler, so they apply from exactly the next message.
 */
final class MessageCodec extends MessageToMessageCodec<ByteBuf, BgpMessage> {
  private CodecContext receive = CodecContext.INITIAL;
  private CodecContext send = CodecContext.INITIAL;

  void contexts(CodecContext receive, CodecContext send) {
    this.receive = receive;
    this.send = send;
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, BgpMessage msg, List<Object> out) {
    ByteBuf buf = ctx.alloc().buffer();
    try {
      BgpEncoder.encode(msg, send, buf);
    } catch (RuntimeException e) {
      buf.release();
      throw e;
    }
    out.add(buf);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
    // The parent releases the frame after this returns; the result holds no reference to it.
    out.add(BgpDecoder.decode(frame, receive));
  }
}
