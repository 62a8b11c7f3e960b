package dev.netctl.bench.bgp;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * All tester sessions of one scenario run on a single event-loop thread, so the harness takes at
 * most one of the two cores and the rest is left to the device under test.
 */
final class TesterFleet implements AutoCloseable {
  /**
   * Sessions being set up at once. BIRD listens with a backlog of 8; a thousand simultaneous
   * connects overflow it, and a connection whose final ACK the kernel dropped hangs without an
   * OPEN. A real network never opens a thousand sessions in the same millisecond either.
   */
  static final int CONNECT_WINDOW = 16;

  private final ArrayDeque<TesterPeer> waiting = new ArrayDeque<>();
  private int inFlight;
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final List<TesterPeer> peers = new ArrayList<>();

  TesterFleet() {
    boolean epoll = Epoll.isAvailable();
    group =
        new MultiThreadIoEventLoopGroup(
            1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    bootstrap =
        new Bootstrap()
            .group(group)
            .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
  }

  /**
   * Connects every peer from its own loopback address to the DUT and waits until all are
   * Established.
   *
   * @return nanoseconds from the first connect to the last session Established
   * @throws BenchException when a session fails or the timeout passes
   */
  long connectAll(List<TesterPeer> toConnect, InetSocketAddress dut, Duration timeout) {
    long start = System.nanoTime();
    group
        .next()
        .execute(
            () -> {
              for (TesterPeer peer : toConnect) {
                peers.add(peer);
                peer.onRetry(() -> connect(peer, dut));
                waiting.add(peer);
              }
              startMore(dut);
            });
    long deadline = start + timeout.toNanos();
    long last = start;
    for (TesterPeer peer : toConnect) {
      try {
        long left = Math.max(1, deadline - System.nanoTime());
        last = Math.max(last, peer.established().get(left, TimeUnit.NANOSECONDS));
      } catch (TimeoutException e) {
        long up = toConnect.stream().filter(p -> p.established().isDone()).count();
        throw new BenchException(
            "only "
                + up
                + " of "
                + toConnect.size()
                + " sessions reached Established within "
                + timeout.toSeconds()
                + " s");
      } catch (ExecutionException e) {
        throw new BenchException("session set-up failed: " + e.getCause().getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchException("interrupted while waiting for sessions");
      }
    }
    return last - start;
  }

  /** Starts connects up to the window; runs on the event loop. */
  private void startMore(InetSocketAddress dut) {
    while (inFlight < CONNECT_WINDOW && !waiting.isEmpty()) {
      TesterPeer peer = waiting.poll();
      inFlight++;
      peer.established()
          .whenComplete(
              (t, e) ->
                  group
                      .next()
                      .execute(
                          () -> {
                            inFlight--;
                            startMore(dut);
                          }));
      connect(peer, dut);
    }
  }

  private void connect(TesterPeer peer, InetSocketAddress dut) {
    peer.attempt();
    bootstrap
        .clone()
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                // BGP length field: octets 16-17, counting the whole message (RFC 4271 §4.1)
                ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(65535, 16, 2, -18, 0), peer);
              }
            })
        .connect(dut, new InetSocketAddress(peer.address(), 0))
        .addListener(
            f -> {
              if (!f.isSuccess() && peer.attempts() < TesterPeer.MAX_ATTEMPTS) {
                group.schedule(() -> connect(peer, dut), 250, TimeUnit.MILLISECONDS);
              } else if (!f.isSuccess()) {
                peer.established()
                    .completeExceptionally(
                        new IllegalStateException(
                            peer.address().getHostAddress()
                                + ": connect to "
                                + dut
                                + " failed: "
                                + f.cause()));
              }
            });
  }

  /** The first broken session's reason, or null. */
  String firstFailure() {
    for (TesterPeer p : peers) {
      if (p.failure() != null) {
        return p.failure();
      }
    }
    return null;
  }

  @Override
  public void close() {
    peers.forEach(TesterPeer::close);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
