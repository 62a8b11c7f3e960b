package dev.netctl.bgp.session;

import dev.netctl.bgp.codec.BgpDecoder;
import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.DecodeResult;
import dev.netctl.bgp.fsm.State;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.Inet4Address;
import java.time.Clock;

/**
 * A passive {@link PeerSession} on an {@link EmbeddedChannel}: the peer's bytes go through the same
 * pipeline a socket's reads do (frame decoder, message codec, connection, FSM, session, listener),
 * on the calling thread, with no socket, event-loop thread or port. What the session sends is
 * discarded. For running the receive path before the first real session (a warm-up), not for
 * talking to a peer.
 */
public final class InProcessSession implements AutoCloseable {
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final PeerSession peer;

  private InProcessSession(PeerSpec spec, SessionListener listener) {
    this.peer =
        new PeerSession(spec, channel.eventLoop(), Transport.nio(), listener, Clock.systemUTC());
    // No peer is behind it (UpdatePathWarmup and the like): its state changes are no one's news.
    peer.quiet();
  }

  /**
   * Accepts the embedded connection for {@code spec} (a passive peer) and completes the OPEN
   * exchange with our own OPEN sent back under {@code peerId}, so the session negotiates what its
   * configuration offers; fails when it does not reach Established.
   */
  public static InProcessSession open(
      PeerSpec spec, Inet4Address peerId, SessionListener listener) {
    InProcessSession s = new InProcessSession(spec, listener);
    try {
      s.peer.start();
      s.peer.accept(s.channel);
      ByteBuf sent = s.channel.readOutbound();
      BgpMessage.Open ours;
      try {
        if (!(BgpDecoder.decode(sent, CodecContext.FOUR_OCTET) instanceof DecodeResult.Decoded d
            && d.message() instanceof BgpMessage.Open o)) {
          throw new IllegalStateException("in-process session: our first message was no OPEN");
        }
        ours = o;
      } finally {
        sent.release();
      }
      s.receive(
          new BgpMessage.Open(
              ours.version(), ours.myAs(), ours.holdTime(), peerId, ours.capabilities()));
      s.receive(new BgpMessage.Keepalive());
      if (s.peer.state() != State.ESTABLISHED) {
        throw new IllegalStateException(
            "in-process session stopped in " + s.peer.state() + ": " + s.peer.info());
      }
      s.discardSent();
      return s;
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** The session; its listener has been told it is established. */
  public PeerSession peer() {
    return peer;
  }

  /**
   * Whether the session reads from its connection: {@link PeerSession#pauseReading} turns the
   * channel's auto-read off and on.
   */
  public boolean reading() {
    return channel.config().isAutoRead();
  }

  /**
   * Delivers {@code bytes} (one or more whole or partial messages, as a read would) and runs the
   * loop tasks they queued; takes over the buffer.
   */
  public void receive(ByteBuf bytes) {
    channel.writeInbound(bytes);
    channel.runPendingTasks();
  }

  private void receive(BgpMessage message) {
    ByteBuf out = Unpooled.buffer();
    BgpEncoder.encode(message, CodecContext.FOUR_OCTET, out);
    receive(out);
  }

  /** Drops what the session has sent so far (its KEEPALIVEs, a NOTIFICATION). */
  public void discardSent() {
    for (Object o; (o = channel.readOutbound()) != null; ) {
      io.netty.util.ReferenceCountUtil.release(o);
    }
  }

  /** Ends the session without a NOTIFICATION and releases what the channel holds. */
  @Override
  public void close() {
    peer.stop(null);
    channel.runPendingTasks();
    channel.finishAndReleaseAll();
  }
}
