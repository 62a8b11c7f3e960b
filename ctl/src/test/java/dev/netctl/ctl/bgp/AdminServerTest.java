package dev.netctl.ctl.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.bgp.session.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin endpoint over TCP and a Unix-domain socket: the same HTTP answers on both, the socket
 * file's mode, stale and foreign files, and cleanup. Speakers listen on 127.0.4.31-32, ports
 * 18431-18432; the TCP endpoint on 127.0.0.1:18433.
 */
@Timeout(60)
class AdminServerTest {
  @TempDir Path dir;

  private static SpeakerPlan plan(int last) {
    return SpeakerConfigReader.parse(
        "t.yaml",
        """
        routerId: 127.0.4.%d
        asNumber: 65043
        listen: {address: 127.0.4.%d, port: %d}
        peers: [{address: 127.0.4.99, asNumber: 65043, passive: true}]
        originate: [{prefix: 10.43.0.0/24}]
        """
            .formatted(last, last, 18400 + last),
        Transport.best().isEpoll());
  }

  /** One raw HTTP exchange, as curl would do it. */
  private static String http(SocketAddress address, String request) throws IOException {
    try (SocketChannel c = SocketChannel.open(address)) {
      c.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(4096);
      while (c.read(buf.clear()) >= 0) {
        out.write(buf.array(), 0, buf.position());
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void unixSocketAndTcpServeTheSameAnswers() throws Exception {
    Path socket = dir.resolve("admin.sock");
    SocketAddress unix = UnixDomainSocketAddress.of(socket);
    SocketAddress tcp = new InetSocketAddress("127.0.0.1", 18433);
    try (StandaloneSpeaker a = StandaloneSpeaker.start(plan(31), unix, Transport.best());
        StandaloneSpeaker b = StandaloneSpeaker.start(plan(32), tcp, Transport.best())) {
      assertThat(Files.getPosixFilePermissions(socket))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(a.adminAddress()).isEqualTo(unix);

      for (SocketAddress address : new SocketAddress[] {unix, tcp}) {
        AdminClient client = new AdminClient(address);
        assertThat(client.peers())
            .singleElement()
            .satisfies(
                p -> {
                  assertThat(p.address()).isEqualTo("127.0.4.99");
                  assertThat(p.state()).isNotEqualTo("established");
                });
        assertThat(client.routes(null, null, true)).as("no peer established").isEmpty();
        assertThatThrownBy(() -> client.routes("ipv5", null, false))
            .hasMessageContaining("refused /routes?family=ipv5&received")
            .hasMessageContaining("family \"ipv5\" must be ipv4 or ipv6");

        String ok = http(address, "GET /peers HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(ok)
            .startsWith("HTTP/1.1 200 OK\r\n")
            .contains("Content-Type: application/json\r\n", "Connection: close\r\n")
            .contains("\"address\":\"127.0.4.99\"");
        assertThat(http(address, "GET /nope HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 404 ");
        assertThat(http(address, "POST /peers HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 405 ");
        assertThat(http(address, "garbage\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        assertThat(http(address, "GET /peers HTTP/1.1\r\nX: " + "a".repeat(9000) + "\r\n\r\n"))
            .startsWith("HTTP/1.1 431 ");
      }
    }
    assertThat(socket).as("removed on close").doesNotExist();
  }

  @Test
  void aStaleSocketFileIsReplacedButALiveOneOrAPlainFileIsNot() throws Exception {
    Path socket = dir.resolve("admin.sock");
    // A crashed run leaves its socket file behind: bound, then closed without unlinking.
    try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      crashed.bind(UnixDomainSocketAddress.of(socket));
    }
    assertThat(socket).exists();
    SocketAddress unix = UnixDomainSocketAddress.of(socket);
    try (StandaloneSpeaker a = StandaloneSpeaker.start(plan(31), unix, Transport.best())) {
      assertThat(new AdminClient(unix).peers()).hasSize(1);
      assertThatThrownBy(() -> StandaloneSpeaker.start(plan(32), unix, Transport.best()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("cannot start the admin endpoint on unix:" + socket)
          .hasMessageContaining("is in use by a running endpoint");
      assertThat(new AdminClient(unix).peers()).as("the running one is untouched").hasSize(1);
    }

    Path plain = Files.writeString(dir.resolve("notes.txt"), "keep me");
    assertThatThrownBy(
            () ->
                StandaloneSpeaker.start(
                    plan(32), UnixDomainSocketAddress.of(plain), Transport.best()))
        .hasMessageContaining("exists and is not a socket");
    assertThat(plain).hasContent("keep me");
  }
}
