package dev.netctl.ctl.bgp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netctl.bgp.codec.AddressText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The HTTP/JSON admin endpoint of a standalone speaker: {@code GET /peers}, {@code GET
 * /routes?family=ipv4|ipv6&peer=ADDR&received|advertised}, and {@code POST
 * /refresh?peer=ADDR&family=ipv4|ipv6} (ROUTE-REFRESH) and {@code POST
 * /reset?peer=ADDR[&soft=in|out|both][&hard]} (a session reset or a soft one), the only actions.
 * Bad queries get 400, requests the session state refuses 409, with {@code {"error": "..."}}.
 *
 * <p>It listens on loopback TCP or on a Unix-domain socket ({@link AdminSocket}); the JDK's
 * HttpServer cannot bind the latter, so this is a minimal HTTP/1.1 server over a {@link
 * ServerSocketChannel} that serves both the same way: one request per connection, answered with
 * {@code Connection: close} (curl, the JDK client and {@link AdminClient} all handle that).
 */
final class AdminServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private static final int MAX_REQUEST_HEAD = 8 * 1024;
  private static final int MAX_CONNECTIONS = 16;
  private static final long REQUEST_TIMEOUT_SECONDS = 10;

  private final ServerSocketChannel channel;
  private final SocketAddress address;
  private final AdminSocket socketFile;
  private final StandaloneSpeaker speaker;
  private final Semaphore connections = new Semaphore(MAX_CONNECTIONS);
  // Closes connections that do not finish their request in time, so a silent client cannot pin
  // a handler forever (blocking channels have no read timeout).
  private final ScheduledExecutorService deadlines =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon().name("bgp-admin-deadline").unstarted(r));
  private final Thread acceptor;

  private AdminServer(
      ServerSocketChannel channel, AdminSocket socketFile, StandaloneSpeaker speaker)
      throws IOException {
    this.channel = channel;
    this.address = channel.getLocalAddress();
    this.socketFile = socketFile;
    this.speaker = speaker;
    this.acceptor = Thread.ofPlatform().daemon().name("bgp-admin").unstarted(this::acceptLoop);
  }

  /**
   * Binds {@code address} (a loopback {@code InetSocketAddress} or a {@code
   * UnixDomainSocketAddress}) and starts serving.
   */
  static AdminServer start(SocketAddress address, StandaloneSpeaker speaker) throws IOException {
    ServerSocketChannel channel;
    AdminSocket socketFile = null;
    try {
      if (address instanceof UnixDomainSocketAddress unix) {
        socketFile = AdminSocket.bind(unix.getPath());
        channel = socketFile.channel();
      } else {
        channel = ServerSocketChannel.open();
        channel.bind(address);
      }
    } catch (IOException e) {
      throw new IOException(
          "cannot start the admin endpoint on "
              + AdminAddress.format(address)
              + ": "
              + e.getMessage(),
          e);
    }
    AdminServer server = new AdminServer(channel, socketFile, speaker);
    server.acceptor.start();
    return server;
  }

  SocketAddress address() {
    return address;
  }

  private void acceptLoop() {
    while (channel.isOpen()) {
      SocketChannel client;
      try {
        client = channel.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        // Out of file descriptors and the like: back off instead of spinning on accept.
        pause();
        continue;
      }
      if ((socketFile != null && !socketFile.allowed(client)) || !connections.tryAcquire()) {
        closeQuietly(client);
        continue;
      }
      var deadline =
          deadlines.schedule(() -> closeQuietly(client), REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      Thread.ofVirtual()
          .name("bgp-admin-request")
          .start(
              () -> {
                try (client) {
                  serve(client, deadline);
                } catch (IOException e) {
                  // The client went away or timed out: nothing to answer.
                } finally {
                  deadline.cancel(false);
                  connections.release();
                }
              });
    }
  }

  private void serve(SocketChannel client, Future<?> deadline) throws IOException {
    String head = readHead(client);
    // The deadline guards the request only: a large routing table may take longer to answer.
    deadline.cancel(false);
    int status;
    byte[] body;
    if (head == null) {
      status = 431;
      body = error("request head larger than " + MAX_REQUEST_HEAD + " bytes");
    } else {
      String[] line = head.lines().findFirst().orElse("").split(" ");
      Response r =
          line.length == 3 ? route(line[0], line[1]) : badRequest("malformed request line");
      status = r.status;
      body = r.body;
    }
    String reason =
        switch (status) {
          case 200 -> "OK";
          case 400 -> "Bad Request";
          case 404 -> "Not Found";
          case 405 -> "Method Not Allowed";
          case 409 -> "Conflict";
          case 431 -> "Request Header Fields Too Large";
          default -> "Internal Server Error";
        };
    byte[] header =
        ("HTTP/1.1 "
                + status
                + " "
                + reason
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length
                + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    ByteBuffer out = ByteBuffer.allocate(header.length + body.length).put(header).put(body).flip();
    while (out.hasRemaining()) {
      client.write(out);
    }
  }

  /** The request line and headers up to the blank line, or null when too large. */
  private static String readHead(SocketChannel client) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(1024);
    while (head.size() <= MAX_REQUEST_HEAD) {
      buf.clear();
      if (client.read(buf) < 0) {
        break;
      }
      head.write(buf.array(), 0, buf.position());
      String text = head.toString(StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        return end > MAX_REQUEST_HEAD ? null : text.substring(0, end);
      }
    }
    return head.size() > MAX_REQUEST_HEAD ? null : head.toString(StandardCharsets.ISO_8859_1);
  }

  private record Response(int status, byte[] body) {}

  private Response route(String method, String target) {
    URI uri;
    try {
      uri = new URI(target);
    } catch (URISyntaxException e) {
      return badRequest("malformed request target");
    }
    // Only /refresh and /reset act, and only on POST; the rest reads.
    String allowed = "GET";
    Supplier<Object> handler =
        switch (String.valueOf(uri.getRawPath())) {
          case "/peers" -> speaker::peers;
          case "/routes" -> () -> routes(uri.getRawQuery());
          case "/refresh" -> {
            allowed = "POST";
            yield () -> refresh(uri.getRawQuery());
          }
          case "/reset" -> {
            allowed = "POST";
            yield () -> reset(uri.getRawQuery());
          }
          default -> null;
        };
    if (handler == null) {
      return new Response(404, error("no such resource " + uri.getRawPath()));
    }
    if (!method.equals(allowed)) {
      return new Response(405, error(uri.getRawPath() + " takes " + allowed + " only"));
    }
    try {
      return new Response(200, JSON.writeValueAsBytes(handler.get()));
    } catch (BadRequest | IllegalArgumentException e) {
      return badRequest(e.getMessage());
    } catch (IllegalStateException e) {
      return new Response(409, error(e.getMessage()));
    } catch (JsonProcessingException | RuntimeException e) {
      return new Response(500, error(String.valueOf(e.getMessage())));
    }
  }

  private static Response badRequest(String message) {
    return new Response(400, error(message));
  }

  private Object routes(String rawQuery) {
    Map<String, String> q = query(rawQuery);
    if (q.containsKey("received") && q.containsKey("advertised")) {
      throw new BadRequest("received and advertised are exclusive");
    }
    return speaker.routes(family(q), peer(q), q.containsKey("advertised"));
  }

  private Object refresh(String rawQuery) {
    Map<String, String> q = query(rawQuery);
    InetAddress peer = peer(q);
    if (peer == null) {
      throw new BadRequest("peer is required");
    }
    return Map.of("peer", AddressText.of(peer), "families", speaker.refresh(peer, family(q)));
  }

  private Object reset(String rawQuery) {
    Map<String, String> q = query(rawQuery);
    InetAddress peer = peer(q);
    if (peer == null) {
      throw new BadRequest("peer is required");
    }
    return speaker.reset(peer, q.get("soft"), q.containsKey("hard"));
  }

  private static String family(Map<String, String> q) {
    String family = q.get("family");
    if (family != null && !family.equals("ipv4") && !family.equals("ipv6")) {
      throw new BadRequest("family \"" + family + "\" must be ipv4 or ipv6");
    }
    return family;
  }

  private static InetAddress peer(Map<String, String> q) {
    if (q.get("peer") == null) {
      return null;
    }
    try {
      return InetAddress.ofLiteral(q.get("peer"));
    } catch (IllegalArgumentException e) {
      throw new BadRequest("peer \"" + q.get("peer") + "\" must be an IP address");
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw == null || raw.isEmpty()) return q;
    for (String part : raw.split("&")) {
      int eq = part.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      q.put(k, v);
    }
    return q;
  }

  private static byte[] error(String message) {
    try {
      return JSON.writeValueAsBytes(Map.of("error", message));
    } catch (JsonProcessingException e) {
      return "{\"error\":\"internal\"}".getBytes(StandardCharsets.UTF_8);
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(SocketChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      // Already gone.
    }
  }

  /** Stops at once (no request leaves state to drain) and removes the socket file. */
  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Closing a listening channel does not fail in a way we could act on.
    }
    deadlines.shutdownNow();
    try {
      acceptor.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (socketFile != null) {
      socketFile.remove();
    }
  }

  private static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message);
    }
  }
}
