package dev.netctl.agent.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The agent's HTTP endpoint: {@code /liveness} (the apply loop is alive), {@code /readiness} (in
 * sync, first apply done, BGP up), {@code /metrics} (Prometheus text) and {@code /status} (JSON for
 * {@code netctl node status}).
 */
final class HealthServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;

  HealthServer(
      String host,
      int port,
      Supplier<Boolean> live,
      Supplier<Boolean> ready,
      Metrics metrics,
      Supplier<AgentStatus> status)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 16);
    server.createContext("/liveness", x -> probe(x, live.get()));
    server.createContext("/readiness", x -> probe(x, ready.get()));
    server.createContext(
        "/metrics", x -> send(x, 200, "text/plain; version=0.0.4", metrics.render()));
    server.createContext(
        "/status", x -> send(x, 200, "application/json", JSON.writeValueAsString(status.get())));
    server.setExecutor(null);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void probe(HttpExchange x, boolean ok) throws IOException {
    send(x, ok ? 200 : 503, "text/plain", ok ? "ok\n" : "not ready\n");
  }

  private static void send(HttpExchange x, int code, String type, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", type);
    x.sendResponseHeaders(code, b.length);
    try (OutputStream o = x.getResponseBody()) {
      o.write(b);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
