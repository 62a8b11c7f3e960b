package dev.netctl.bgp.session;

import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.CodecContext;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Turns messages into bytes with the context negotiated for sending (received messages are decoded
 * by {@link BgpFrameDecoder}). The session sets the context on the same event loop thread that runs
 * this handler, so it applies from exactly the next message.
 */
final class MessageCodec extends MessageToMessageEncoder<BgpMessage> {
  private CodecContext send = CodecContext.INITIAL;

  void send(CodecContext send) {
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
}
