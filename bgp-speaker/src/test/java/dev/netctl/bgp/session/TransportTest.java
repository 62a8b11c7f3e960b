package dev.netctl.bgp.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The socket options {@link Transport} gives sessions, read back from the kernel. */
@Timeout(30)
class TransportTest {

  @ParameterizedTest(name = "{0} over {1}")
  @CsvSource({"epoll, 127.0.0.1", "epoll, ::1", "nio, 127.0.0.1", "nio, ::1"})
  void sessionsOnBothEndsSendAsNetworkControl(String kind, String address) throws Exception {
    Transport transport = kind.equals("epoll") ? Transport.best() : Transport.nio();
    if (kind.equals("epoll")) {
      // Netty's native transport ships for this platform in the jar: under CI its absence is a
      // broken build, not a machine without a component.
      if ("true".equals(System.getenv("CI"))) {
        assertThat(transport.isEpoll()).as("Netty's epoll transport loads").isTrue();
      }
      assumeTrue(transport.isEpoll(), "epoll unavailable");
    }
    InetAddress local = InetAddress.getByName(address);
    EventLoopGroup group = transport.newGroup(1);
    CompletableFuture<Channel> accepted = new CompletableFuture<>();
    try {
      ServerBootstrap server =
          new ServerBootstrap()
              .group(group)
              .channel(transport.serverChannel())
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      accepted.complete(ch);
                    }
                  });
      transport.sessionOptions(server, local);
      Channel listener = server.bind(new InetSocketAddress(local, 0)).sync().channel();
      Bootstrap client =
          new Bootstrap()
              .group(group)
              .channel(transport.socketChannel())
              .handler(new ChannelInboundHandlerAdapter());
      transport.sessionOptions(client);
      Channel connected = client.connect(listener.localAddress()).sync().channel();
      Channel child = accepted.get(10, TimeUnit.SECONDS);

      assertThat(connected.config().getOption(ChannelOption.IP_TOS)).isEqualTo(0xC0);
      assertThat(child.config().getOption(ChannelOption.IP_TOS)).isEqualTo(0xC0);
      if (transport.isEpoll()) {
        boolean v6 = local instanceof Inet6Address;
        assertThat(listener.config().getOption(v6 ? Transport.IPV6_TCLASS : Transport.IP_TOS))
            .isEqualTo(0xC0);
      }
      connected.close().sync();
      listener.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
