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
 * An Established {@link PeerSession} on an {@link EmbeddedChannel}, as {@link InProcessSession}
 * opens one, but with the channel in sight: a test of a session's consumer (the speaker's listener)
 * can see whether the session still reads, which {@link PeerSession#pauseReading} turns off and on
 * through the channel's auto-read.
 */
public final class EmbeddedEstablished implements AutoCloseable {
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final PeerSession peer;

  /** Accepts the embedded connection for the passive {@code spec}; our OPEN comes back as its. */
  public EmbeddedEstablished(PeerSpec spec, Inet4Address peerId) {
    peer =
        new PeerSession(
            spec,
            channel.eventLoop(),
            Transport.nio(),
            new SessionListener() {},
            Clock.systemUTC());
    peer.quiet();
    peer.start();
    peer.accept(channel);
    ByteBuf sent = channel.readOutbound();
    BgpMessage.Open ours;
    try {
      ours =
          (BgpMessage.Open)
              ((DecodeResult.Decoded) BgpDecoder.decode(sent, CodecContext.FOUR_OCTET)).message();
    } finally {
      sent.release();
    }
    receive(
        new BgpMessage.Open(
            ours.version(), ours.myAs(), ours.holdTime(), peerId, ours.capabilities()));
    receive(new BgpMessage.Keepalive());
    if (peer.state() != State.ESTABLISHED) {
      throw new IllegalStateException("stopped in " + peer.state() + ": " + peer.info());
    }
  }

  /** The session. */
  public PeerSession peer() {
    return peer;
  }

  /** Whether the session reads from its connection (auto-read on), not paused. */
  public boolean reading() {
    return channel.config().isAutoRead();
  }

  private void receive(BgpMessage message) {
    ByteBuf out = Unpooled.buffer();
    BgpEncoder.encode(message, CodecContext.FOUR_OCTET, out);
    channel.writeInbound(out);
    channel.runPendingTasks();
  }

  @Override
  public void close() {
    peer.stop(null);
    channel.runPendingTasks();
    channel.finishAndReleaseAll();
  }
}
