package dev.netctl.ipam.gc;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
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
        "/metrics",
        ex ->
            reply(
                ex,
                "/metrics",
                "text/plain; version=0.0.4; charset=utf-8",
                () -> new Answer(200, body.get())));
    if (health != null) {
      server.createContext(
          "/liveness", ex -> reply(ex, "/liveness", TEXT, probe(health::live, "not live")));
      server.createContext(
          "/readiness", ex -> reply(ex, "/readiness", TEXT, probe(health::ready, "not ready")));
    }
    server.start();
  }

  private static final String TEXT = "text/plain; charset=utf-8";

  /** A probe's answer: 200 "ok" or 503 with what is wrong. */
  private record Answer(int code, String text) {}

  private static Supplier<Answer> probe(BooleanSupplier ok, String failure) {
    return () -> ok.getAsBoolean() ? new Answer(200, "ok\n") : new Answer(503, failure + "\n");
  }

  // The server matches contexts by prefix: only the exact path is served, GET only.
  private static void reply(HttpExchange ex, String path, String type, Supplier<Answer> answer)
      throws IOException {
    try (ex) {
      if (!ex.getRequestURI().getPath().equals(path)) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      if (!"GET".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      Answer a = answer.get();
      byte[] bytes = a.text().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", type);
      ex.sendResponseHeaders(a.code(), bytes.length);
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
