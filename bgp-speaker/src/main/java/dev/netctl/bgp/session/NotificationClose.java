package dev.netctl.bgp.session;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a channel whose last message is a NOTIFICATION so that the peer parses the NOTIFICATION
 * before it sees the connection close (RFC 4271 §6: the connection is closed "immediately after"
 * the NOTIFICATION, and a speaker that reads both at once may act on either first).
 *
 * <p>FRR 8.4 reads on an I/O thread and acts on a main thread: given the NOTIFICATION and our FIN
 * in one read, its main thread sometimes took the close first and logged "peer closed the session",
 * the NOTIFICATION (and the Cease it carried, e.g. a soft Administrative Reset under RFC 8538)
 * never parsed. A half-close does not help there: it is the FIN itself that races. So, as BIRD does
 * in its Close state, the NOTIFICATION is flushed and the connection left open until the peer,
 * having read it, closes its side, or until {@link #timeout()} passes for a peer that does not.
 * Whatever the peer sends meanwhile is discarded unread. The FSM does not wait: it is in Idle
 * already, and this channel is no longer its own.
 */
final class NotificationClose {
  // Long enough for a loaded peer to read and act, short enough that a peer which never closes
  // holds a socket only briefly.
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
  private static volatile Duration timeout = DEFAULT_TIMEOUT;

  private NotificationClose() {}

  /**
   * Flushes what is written to {@code ch} (the NOTIFICATION) and closes it once the peer closes, or
   * after {@link #timeout()}; on any write failure at once. Never throws. Returns the channel's
   * close future.
   */
  static ChannelFuture close(Channel ch) {
    try {
      if (!ch.isActive()) {
        return ch.close();
      }
      // Reading goes on (also for a session paused by back-pressure): it is how the peer's FIN is
      // seen; what else comes is dropped before decoding.
      ch.pipeline().addFirst(Discard.INSTANCE);
      ch.config().setAutoRead(true);
      ScheduledFuture<?> deadline =
          ch.eventLoop().schedule(() -> ch.close(), timeout.toMillis(), TimeUnit.MILLISECONDS);
      ch.closeFuture().addListener(f -> deadline.cancel(false));
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER)
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  ch.close();
                }
              });
    } catch (RuntimeException e) {
      // A pipeline or loop already shutting down: the close is all that is left to do.
      ch.close();
    }
    return ch.closeFuture();
  }

  /** How long a peer may keep the connection open after our NOTIFICATION. */
  static Duration timeout() {
    return timeout;
  }

  /** Sets {@link #timeout()} (tests: a long one shows that the peer's close ends the wait). */
  static void timeout(Duration value) {
    timeout = value == null ? DEFAULT_TIMEOUT : value;
  }

  /** Drops every inbound message of a closing channel, so nothing is decoded or acted on. */
  @ChannelHandler.Sharable
  private static final class Discard extends ChannelInboundHandlerAdapter {
    static final Discard INSTANCE = new Discard();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A reset by the peer while we wait: the connection is over either way.
      ctx.close();
    }
  }
}
