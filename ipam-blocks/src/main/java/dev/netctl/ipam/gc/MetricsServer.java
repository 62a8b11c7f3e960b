package dev.netctl.ipam.gc;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Serves {@code GET /metrics} (Prometheus text) and, when given, the probes {@code GET /liveness}
 * and {@code GET /readiness} (200 or 503, no data) from the JDK's built-in HTTP server.
 */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer server;

  /**
   * @param address where to listen; port 0 picks a free one
   */
  public MetricsServer(InetSocketAddress address, Supplier<String> body) throws IOException {
    this(address, body, null);
  }

  /**
   * @param address where to listen; port 0 picks a free one
   * @param health what the probes answer, or null for no probes
   */
  public MetricsServer(InetSocketAddress address, Supplier<String> body, ControllerHealth health)
      throws IOException {
    server = HttpServer.create(address, 0);
    server.createContext(
        "/metrics", ex -> reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8", body.get()));
    if (health != null) {
      server.createContext("/liveness", ex -> probe(ex, health.live(), "not live"));
      server.createContext("/readiness", ex -> probe(ex, health.ready(), "not ready"));
    }
    server.start();
  }

  private static void probe(HttpExchange ex, boolean ok, String failure) throws IOException {
    reply(ex, ok ? 200 : 503, "text/plain; charset=utf-8", (ok ? "ok" : failure) + "\n");
  }

  private static void reply(HttpExchange ex, int code, String type, String text)
      throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", type);
      ex.sendResponseHeaders(code, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** The bound address (with the real port when 0 was asked for). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
