package dev.netctl.bench.bgp;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.Capability;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The harness's own stand-in for a DUT, used only to warm the harness: it opens every session and
 * passes each UPDATE it receives on to every other session, unread. Running a scenario through it
 * before any measurement compiles the harness's socket paths (the testers' sends, reads, framing
 * and counting), which the first real DUT of a run would otherwise pay for: measured without it,
 * BIRD's first churn took 0.047-0.056 s when BIRD ran first and 0.008-0.011 s when it ran third in
 * the same run (docs/benchmarks.md, issue 14 session 11). Never measured itself.
 */
final class ReflectorDut implements Dut {
  private final ChannelGroup sessions = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  // Made in start(): the runner also makes an instance only to ask its name.
  private EventLoopGroup group;
  private Channel server;

  @Override
  public String name() {
    return "harness-reflector";
  }

  @Override
  public void start(DutSetup setup) {
    byte[] open =
        Workload.encode(
            new BgpMessage.Open(
                4,
                setup.asn(),
                TesterPeer.HOLD_TIME,
                setup.address(),
                List.of(
                    new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
                    new Capability.FourOctetAs(setup.asn()))));
    byte[] keepalive = Workload.encode(BgpMessage.Keepalive.INSTANCE);
    Relay relay = new Relay(open, keepalive);
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      server =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      sessions.add(ch);
                      ch.pipeline()
                          .addLast(new LengthFieldBasedFrameDecoder(65535, 16, 2, -18, 0), relay);
                    }
                  })
              .bind(new InetSocketAddress(setup.address(), setup.port()))
              .sync()
              .channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("harness reflector: interrupted while binding");
    } catch (Exception e) { // Netty rethrows the bind failure, checked or not
      throw new BenchException(
          "harness reflector: cannot listen on "
              + setup.ip()
              + ":"
              + setup.port()
              + ": "
              + e.getMessage());
    }
  }

  @Override
  public long pid() {
    return ProcessHandle.current().pid();
  }

  @Override
  public String logTail() {
    return "";
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    sessions.close().syncUninterruptibly();
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** OPEN on connect, KEEPALIVE for an OPEN, and every UPDATE to all other sessions. */
  @ChannelHandler.Sharable
  private final class Relay extends SimpleChannelInboundHandler<ByteBuf> {
    private final byte[] open;
    private final byte[] keepalive;

    Relay(byte[] open, byte[] keepalive) {
      this.open = open;
      this.keepalive = keepalive;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(open));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
      int type = msg.getUnsignedByte(msg.readerIndex() + 18);
      if (type == BgpMessage.TYPE_OPEN) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(keepalive));
      } else if (type == BgpMessage.TYPE_UPDATE) {
        for (Channel other : sessions) {
          if (other != ctx.channel()) {
            other.writeAndFlush(msg.retainedDuplicate());
          }
        }
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
