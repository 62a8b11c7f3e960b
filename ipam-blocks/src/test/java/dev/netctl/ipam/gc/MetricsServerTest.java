package dev.netctl.ipam.gc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MetricsServerTest {

  @Test
  void servesTheCountersInPrometheusTextFormat() throws Exception {
    ControllerMetrics metrics = new ControllerMetrics();
    metrics.leader(true);
    metrics.handlesReleased.addAndGet(3);
    try (MetricsServer server =
            new MetricsServer(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), metrics::render);
        HttpClient http = HttpClient.newHttpClient()) {
      URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics");
      HttpResponse<String> r =
          http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type"))
          .contains("text/plain; version=0.0.4; charset=utf-8");
      assertThat(r.body())
          .contains("# TYPE netctl_controller_leader gauge\nnetctl_controller_leader 1\n")
          .contains(
              "# TYPE netctl_controller_handles_released_total counter\n"
                  + "netctl_controller_handles_released_total 3\n");
      // every sample line is "name{labels} value" with a preceding TYPE line for its family
      for (String line : r.body().split("\n")) {
        if (line.startsWith("#")) continue;
        assertThat(line).matches("netctl_controller_[a-z_]+(\\{[a-z]+=\"[a-z]+\"\\})? \\d+");
        String family = line.replaceAll("[{ ].*", "");
        assertThat(r.body()).contains("# TYPE " + family + " ");
      }
      HttpResponse<String> post =
          http.send(
              HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
    }
  }

  @Test
  void theProbesAnswerWhatTheHealthSays() throws Exception {
    AtomicReference<Optional<Instant>> answered = new AtomicReference<>(Optional.empty());
    ControllerHealth health =
        new ControllerHealth(Clock.systemUTC(), Duration.ofMinutes(1), answered::get);
    try (MetricsServer server =
            new MetricsServer(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), () -> "", health);
        HttpClient http = HttpClient.newHttpClient()) {
      String base = "http://127.0.0.1:" + server.address().getPort();
      assertThat(get(http, base + "/liveness")).isEqualTo("200 ok\n");
      assertThat(get(http, base + "/readiness")).isEqualTo("503 not ready\n");
      answered.set(Optional.of(Instant.now()));
      assertThat(get(http, base + "/readiness")).isEqualTo("200 ok\n");
      assertThat(get(http, base + "/livenessX")).as("exact paths only").startsWith("404");
      assertThat(get(http, base + "/metrics/x")).startsWith("404");
    }
  }

  @Test
  void withoutHealthThereAreNoProbes() throws Exception {
    try (MetricsServer server =
            new MetricsServer(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), () -> "");
        HttpClient http = HttpClient.newHttpClient()) {
      assertThat(get(http, "http://127.0.0.1:" + server.address().getPort() + "/liveness"))
          .startsWith("404");
    }
  }

  private static String get(HttpClient http, String uri) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }
}
