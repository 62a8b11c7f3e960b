package dev.netctl.ctl.bgp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The read-only HTTP/JSON admin endpoint of a standalone speaker, on loopback only (it has no
 * authentication): {@code GET /peers} and {@code GET
 * /routes?family=ipv4|ipv6&peer=ADDR&received|advertised}. Bad queries get 400 with {@code
 * {"error": "..."}}.
 */
final class AdminServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;

  private AdminServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  static AdminServer start(InetSocketAddress address, StandaloneSpeaker speaker)
      throws IOException {
    HttpServer server;
    try {
      server = HttpServer.create(address, 0);
    } catch (IOException e) {
      throw new IOException(
          "cannot start the admin endpoint on "
              + AdminAddress.format(address)
              + ": "
              + e.getMessage(),
          e);
    }
    // One thread: requests are rare and each is one call onto the speaker's event loop.
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("bgp-admin").unstarted(r));
    server.setExecutor(executor);
    server.createContext("/peers", ex -> respond(ex, () -> speaker.peers()));
    server.createContext("/routes", ex -> respond(ex, () -> routes(ex, speaker)));
    server.start();
    return new AdminServer(server, executor);
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  private static Object routes(HttpExchange ex, StandaloneSpeaker speaker) {
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    String family = q.get("family");
    if (family != null && !family.equals("ipv4") && !family.equals("ipv6")) {
      throw new BadRequest("family \"" + family + "\" must be ipv4 or ipv6");
    }
    InetAddress peer = null;
    if (q.get("peer") != null) {
      try {
        peer = InetAddress.ofLiteral(q.get("peer"));
      } catch (IllegalArgumentException e) {
        throw new BadRequest("peer \"" + q.get("peer") + "\" must be an IP address");
      }
    }
    if (q.containsKey("received") && q.containsKey("advertised")) {
      throw new BadRequest("received and advertised are exclusive");
    }
    return speaker.routes(family, peer, q.containsKey("advertised"));
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

  private static void respond(HttpExchange ex, java.util.function.Supplier<Object> body)
      throws IOException {
    int status;
    byte[] bytes;
    try {
      if (!ex.getRequestMethod().equals("GET")) {
        throw new BadRequest("only GET is served");
      }
      bytes = JSON.writeValueAsBytes(body.get());
      status = 200;
    } catch (BadRequest e) {
      bytes = error(e.getMessage());
      status = 400;
    } catch (RuntimeException e) {
      bytes = error(String.valueOf(e.getMessage()));
      status = 500;
    }
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static byte[] error(String message) {
    try {
      return JSON.writeValueAsBytes(Map.of("error", message));
    } catch (JsonProcessingException e) {
      return "{\"error\":\"internal\"}".getBytes(StandardCharsets.UTF_8);
    }
  }

  /** Stops at once: queries are read-only, nothing to drain. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message);
    }
  }
}
