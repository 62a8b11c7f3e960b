package dev.netctl.ctl.bgp;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the client says when something other than a netctl admin endpoint answers. */
@Timeout(30)
class AdminClientTest {
  @TempDir Path dir;

  @Test
  void anotherHttpServersErrorIsNamedByItsStatusNotAsUnreadableJson() throws Exception {
    // `bgp peers --admin` pointed at some other web server (a proxy's 404 with an empty body)
    // said "answered /peers with unreadable JSON", which hides that nothing of ours is there.
    UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("other.sock"));
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(address);
      Thread answer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (SocketChannel c = server.accept()) {
                      c.read(ByteBuffer.allocate(4096));
                      c.write(
                          ByteBuffer.wrap(
                              "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"
                                  .getBytes(StandardCharsets.US_ASCII)));
                    } catch (Exception e) {
                      throw new RuntimeException(e);
                    }
                  });
      assertThatThrownBy(() -> new AdminClient(address).peers())
          .isInstanceOf(AdminUnavailableException.class)
          .hasMessage(
              "BGP admin endpoint unix:"
                  + address.getPath()
                  + " answered GET /peers with HTTP 404 Not Found, not a netctl BGP admin"
                  + " answer; is `netctl bgp run` running with that admin endpoint?");
      answer.join();
    }
  }
}
