package dev.netctl.ipam.gc;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** Serves {@code GET /metrics} (Prometheus text) from the JDK's built-in HTTP server. */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer server;

  /**
   * @param address where to listen; port 0 picks a free one
   */
  public MetricsServer(InetSocketAddress address, Supplier<String> body) throws IOException {
    server = HttpServer.create(address, 0);
    server.createContext(
        "/metrics",
        ex -> {
          try (ex) {
            if (!"GET".equals(ex.getRequestMethod())) {
              ex.sendResponseHeaders(405, -1);
              return;
            }
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
              out.write(bytes);
            }
          }
        });
    server.start();
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
