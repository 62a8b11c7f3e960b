package dev.netctl.bench.bgp;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.Capability;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import java.net.Inet4Address;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One tester session toward the device under test: opens the session (RFC 4271 §8), keeps it alive,
 * feeds received UPDATEs to a {@link PrefixTally} and writes pre-encoded UPDATE bytes when told to.
 * It plays injector, monitor or both (a route-reflector client in the fan-out scenario).
 */
@ChannelHandler.Sharable // one pipeline at a time, but re-added when a connection is retried
final class TesterPeer extends SimpleChannelInboundHandler<ByteBuf> {
  /**
   * Connections a peer may lose before Established. GoBGP accepts connections before it has loaded
   * every neighbor from its config and closes those from peers it does not know yet; a real
   * speaker's ConnectRetry timer covers that, so the tester retries too.
   */
  static final int MAX_ATTEMPTS = 20;

  /** A connection without the DUT's OPEN after this long is dropped and retried. */
  static final int OPEN_TIMEOUT_SECONDS = 5;

  /** The receive buffer of a stalled peer (see {@link #stall}). */
  static final int STALLED_RCVBUF = 128 * 1024;

  /** Hold time offered; the DUT may lower it, keepalives follow the negotiated value. */
  static final int HOLD_TIME = 90;

  private static final byte[] KEEPALIVE = Workload.encode(BgpMessage.Keepalive.INSTANCE);

  private final Inet4Address address;
  private final long asn;
  private final PrefixTally tally;
  private final CompletableFuture<Long> established = new CompletableFuture<>();
  private volatile Channel channel;
  private volatile boolean closing;
  private volatile String failure;
  private volatile Runnable reconnect;
  private int attempts;
  private boolean openReceived;

  /**
   * @param address the local address, also the BGP identifier
   * @param asn the tester's AS
   * @param tally where received prefixes are counted
   */
  TesterPeer(Inet4Address address, long asn, PrefixTally tally) {
    this.address = address;
    this.asn = asn;
    this.tally = tally;
  }

  /** The local address this peer binds. */
  Inet4Address address() {
    return address;
  }

  /** What this peer holds. */
  PrefixTally tally() {
    return tally;
  }

  /** Completes with {@link System#nanoTime()} when the session reaches Established. */
  CompletableFuture<Long> established() {
    return established;
  }

  /** Writes pre-encoded messages from an unreleasable buffer, shared read-only and never copied. */
  void send(ByteBuf preEncoded) {
    Channel ch = channel;
    if (ch == null || !established.isDone()) {
      throw new IllegalStateException(address.getHostAddress() + " is not Established");
    }
    ch.writeAndFlush(preEncoded.duplicate());
  }

  /**
   * Stops reading from the DUT (a peer that hangs: TCP's window closes and the DUT's writes back
   * up; a 128 KiB receive buffer keeps what the kernel absorbs small) or reads again, with a 1 MiB
   * buffer; returns once the channel has it. Not smaller: a buffer below the loopback MSS (64 KiB)
   * leaves a window too small to send into once reading resumes (silly-window avoidance), and the
   * DUT's data then trickles out on TCP's persist timer at a few tens of KB/s (measured: a 1.3 MB
   * send queue took 40 s), which is the harness, not the DUT.
   */
  void stall(boolean stalled) {
    Channel ch = channel;
    if (ch == null || !established.isDone()) {
      throw new IllegalStateException(address.getHostAddress() + " is not Established");
    }
    ch.eventLoop()
        .submit(
            () -> {
              ch.config().setOption(ChannelOption.SO_RCVBUF, stalled ? STALLED_RCVBUF : 1 << 20);
              ch.config().setAutoRead(!stalled);
            })
        .syncUninterruptibly();
  }

  /** Closes the session without a NOTIFICATION: the DUT is torn down right after. */
  void close() {
    closing = true;
    Channel ch = channel;
    if (ch != null) {
      ch.close();
    }
  }

  /** Sets what reconnects this peer after a connection lost before Established. */
  void onRetry(Runnable reconnect) {
    this.reconnect = reconnect;
  }

  /** Connection attempts so far. */
  int attempts() {
    return attempts;
  }

  /** Counts a connection attempt; called by the fleet before each connect. */
  void attempt() {
    attempts++;
    openReceived = false;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    BgpMessage.Open open =
        new BgpMessage.Open(
            4,
            asn,
            HOLD_TIME,
            address,
            List.of(
                new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
                new Capability.RouteRefresh(),
                new Capability.FourOctetAs(asn)));
    ctx.writeAndFlush(Unpooled.wrappedBuffer(Workload.encode(open)));
    Channel mine = ctx.channel();
    ctx.executor()
        .schedule(
            () -> {
              if (!openReceived && channel == mine) {
                mine.close(); // channelInactive retries
              }
            },
            OPEN_TIMEOUT_SECONDS,
            TimeUnit.SECONDS);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
    int type = msg.getUnsignedByte(msg.readerIndex() + 18);
    switch (type) {
      case BgpMessage.TYPE_OPEN -> {
        openReceived = true;
        int theirHold = msg.getUnsignedShort(msg.readerIndex() + UpdateScanner.HEADER + 3);
        int hold = Math.min(HOLD_TIME, theirHold);
        ctx.writeAndFlush(Unpooled.wrappedBuffer(KEEPALIVE));
        if (hold > 0) {
          long every = Math.max(1, hold / 3);
          ctx.executor()
              .scheduleAtFixedRate(
                  () -> ctx.writeAndFlush(Unpooled.wrappedBuffer(KEEPALIVE)),
                  every,
                  every,
                  TimeUnit.SECONDS);
        }
      }
      case BgpMessage.TYPE_KEEPALIVE -> {
        if (openReceived && !established.isDone()) {
          established.complete(System.nanoTime());
        }
      }
      case BgpMessage.TYPE_UPDATE -> UpdateScanner.scan(msg, tally);
      case BgpMessage.TYPE_NOTIFICATION -> {
        int at = msg.readerIndex() + UpdateScanner.HEADER;
        fail(
            "NOTIFICATION "
                + msg.getUnsignedByte(at)
                + "/"
                + msg.getUnsignedByte(at + 1)
                + " from the DUT");
        ctx.close();
      }
      default -> {}
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (closing) {
      return;
    }
    Runnable retry = reconnect;
    if (!established.isDone() && failure == null && retry != null && attempts < MAX_ATTEMPTS) {
      ctx.executor().schedule(retry, 250, TimeUnit.MILLISECONDS);
      return;
    }
    fail("the DUT closed the session (attempt " + attempts + ")");
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // before Established a reset is what GoBGP does to a peer it has not configured yet:
    // channelInactive retries; after Established it breaks the scenario
    if (established.isDone()) {
      fail(cause.toString());
    }
    ctx.close();
  }

  /** Why the session broke, or null while it is fine. */
  String failure() {
    return failure;
  }

  private void fail(String why) {
    if (failure == null) {
      failure = address.getHostAddress() + ": " + why;
    }
    established.completeExceptionally(new IllegalStateException(failure));
  }
}
