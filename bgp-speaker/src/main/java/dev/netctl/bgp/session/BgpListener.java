package dev.netctl.bgp.session;

import dev.netctl.bgp.codec.AddressText;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts BGP connections on one address and port and hands each to the {@link PeerSession}
 * configured for the remote address; connections from unknown addresses are closed at once.
 */
public final class BgpListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BgpListener.class);

  private final Channel server;

  private BgpListener(Channel server) {
    this.server = server;
  }

  /**
   * Binds and starts accepting.
   *
   * @param group the speaker's event loop group (a single loop, so peers and channels share it)
   * @param transport epoll or NIO
   * @param address where to listen, e.g. 127.0.0.2:1790
   * @param admit the session for a remote address, or why it is refused
   * @param md5 MD5 passwords by peer address (epoll only)
   */
  public static BgpListener bind(
      EventLoopGroup group,
      Transport transport,
      InetSocketAddress address,
      Function<InetAddress, Admission> admit,
      Map<InetAddress, String> md5)
      throws InterruptedException {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    InetAddress remote = ch.remoteAddress().getAddress();
                    PeerSession peer;
                    switch (admit.apply(remote)) {
                      case Admission.Accept a -> peer = a.session();
                      case Admission.Refuse r -> {
                        LOG.info(
                            "refusing BGP connection from {}: {}",
                            AddressText.of(remote),
                            r.reason());
                        refuse(ch, r.notification());
                        return;
                      }
                    }
                    if (peer.loop().inEventLoop()) {
                      peer.accept(ch);
                    } else {
                      peer.loop().execute(() -> peer.accept(ch));
                    }
                  }
                });
    Map<InetAddress, byte[]> keys = new HashMap<>();
    md5.forEach((a, p) -> keys.put(a, p.getBytes(StandardCharsets.US_ASCII)));
    transport.sessionOptions(b, address.getAddress());
    transport.md5(b, keys);
    transport.ttl255(b);
    // Await rather than sync: sync rethrows the bind's failure (a BindException, checked) without
    // declaring it, past every caller's clean-up for RuntimeException.
    ChannelFuture bound = b.bind(address).await();
    if (!bound.isSuccess()) {
      throw new UncheckedIOException(
          "cannot listen for BGP on "
              + AddressText.of(address)
              + ": "
              + SocketErrorText.of(bound.cause()),
          bound.cause() instanceof IOException io ? io : new IOException(bound.cause()));
    }
    return new BgpListener(bound.channel());
  }

  /**
   * Replaces the MD5 keys on the listening socket, e.g. when a peer with a password is added at
   * runtime (epoll only; RFC 2385).
   */
  public void md5(Transport transport, Map<InetAddress, String> md5) {
    if (!transport.isEpoll()) {
      if (md5.isEmpty()) {
        return;
      }
      throw new IllegalStateException("TCP MD5 signatures need the epoll transport; NIO is in use");
    }
    Map<InetAddress, byte[]> keys = new HashMap<>();
    md5.forEach((a, p) -> keys.put(a, p.getBytes(StandardCharsets.US_ASCII)));
    server.config().setOption(io.netty.channel.epoll.EpollChannelOption.TCP_MD5SIG, keys);
  }

  /**
   * Closes a connection that no session takes, after sending {@code notification} when it is not
   * null. The channel has no BGP pipeline yet, so the NOTIFICATION gets its own encoder.
   */
  static void refuse(Channel ch, dev.netctl.bgp.codec.BgpMessage.Notification notification) {
    if (notification == null) {
      ch.close();
      return;
    }
    ch.pipeline().addLast(new MessageCodec());
    ch.write(notification);
    NotificationClose.close(ch);
  }

  /** The bound address (useful with port 0). */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) server.localAddress();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
  }
}
