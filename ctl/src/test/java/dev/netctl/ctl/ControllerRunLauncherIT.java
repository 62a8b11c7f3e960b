package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./netctl controller run} as its own process, as deploy/'s Deployment runs it: listening on
 * the address $NETCTL_HEALTH_HOST names (deploy/ gives it the pod's), it answers the kubelet's
 * probes and serves its metrics there, and becomes the leader on its store.
 */
@Timeout(120)
class ControllerRunLauncherIT {
  @TempDir Path dir;

  @Test
  void servesItsProbesAndMetricsOnTheAddressTheEnvironmentNames() throws Exception {
    String host = "127.0.0.74";
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.ofLiteral(host))) {
      port = s.getLocalPort();
    }
    Path launcher = Path.of("").toAbsolutePath().getParent().resolve("netctl");
    ProcessBuilder pb =
        new ProcessBuilder(
            launcher.toString(), "controller", "run", "--metrics-port", String.valueOf(port));
    pb.environment().put("NETCTL_NO_BUILD", "1");
    pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
    pb.environment().put("NETCTL_DATASTORE", "embedded:" + dir.resolve("netctl.db"));
    pb.environment().put("NETCTL_HEALTH_HOST", host);
    pb.environment().put("NETCTL_POD_NAME", "controller-it");
    pb.redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
    Process p = pb.start();
    String base = "http://" + host + ":" + port;
    try (HttpClient http = HttpClient.newHttpClient()) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptionsMatching(e -> e instanceof java.io.IOException)
          .untilAsserted(
              () -> {
                assertThat(p.isAlive()).as(() -> read("err")).isTrue();
                assertThat(get(http, base + "/metrics")).contains("netctl_controller_leader 1");
                // the runner sets the metric just before it logs the change: wait for both
                assertThat(read("out")).contains("became the leader");
              });
      assertThat(get(http, base + "/liveness")).isEqualTo("200 ok\n");
      assertThat(get(http, base + "/readiness")).isEqualTo("200 ok\n");
      // The leader gauge is set before the line is logged: under load the line can trail it.
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(read("out"))
                      .contains("probes at " + base + "/liveness and /readiness")
                      .contains("became the leader"));
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
    } finally {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String get(HttpClient http, String uri) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  private String read(String name) {
    try {
      return Files.readString(dir.resolve(name));
    } catch (java.io.IOException e) {
      return "(" + name + " unreadable: " + e.getMessage() + ")";
    }
  }
}
