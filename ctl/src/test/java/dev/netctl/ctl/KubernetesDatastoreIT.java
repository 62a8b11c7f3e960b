package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./netctl --datastore kubernetes:KUBECONFIG} through the launcher and the shaded jar: the
 * backend is found through ServiceLoader in the jar, uses the kubeconfig's server and token, and
 * stays unloaded for embedded commands. The API server is a JDK HTTP server answering the one list
 * request with what kube-apiserver returns for a pool applied with kubectl (the backend's own
 * behaviour is tested on fabric8's mock server in kube-datastore; this module has jetcd on its
 * class path, which breaks that mock's watches).
 */
@Timeout(180)
class KubernetesDatastoreIT {
  @TempDir Path dir;

  /** One launcher cache for the class: its archive is recorded once, not per test. */
  @TempDir static Path cache;

  private static final String POOL_LIST =
      """
      {"apiVersion":"netctl.dev/v1","kind":"IPPoolList","metadata":{"resourceVersion":"812"},
       "items":[{"apiVersion":"netctl.dev/v1","kind":"IPPool",
         "metadata":{"name":"kube-pool","resourceVersion":"811","uid":"0b6a",
                     "creationTimestamp":"2026-12-05T10:00:00Z"},
         "spec":{"allowedUses":["Workload","Tunnel"],"assignmentMode":"Automatic",
                 "blockSize":26,"cidr":"10.96.0.0/16","disableBGPExport":false,"disabled":false,
                 "ipipMode":"Never","natOutgoing":true,"nodeSelector":"all()",
                 "vxlanMode":"CrossSubnet"}}]}
      """;

  record Run(int exitCode, String out, String err) {}

  @Test
  void getIppoolsReadsTheCustomResourcesWithTheKubeconfigsCredentials() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          seen.add(
              ex.getRequestMethod()
                  + " "
                  + ex.getRequestURI()
                  + " "
                  + ex.getRequestHeaders().getFirst("Authorization"));
          boolean list =
              ex.getRequestMethod().equals("GET")
                  && ex.getRequestURI().getPath().equals("/apis/netctl.dev/v1/ippools");
          byte[] body =
              (list ? POOL_LIST : "{\"kind\":\"Status\",\"code\":404}")
                  .getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(list ? 200 : 404, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.start();
    try {
      Path kubeconfig = kubeconfig(server.getAddress().getPort());
      Run get =
          netctl(
              "-Xlog:class+load=info:file=" + dir.resolve("kube-classes.log"),
              "--datastore",
              "kubernetes:" + kubeconfig,
              "get",
              "ippools",
              "-o",
              "wide");
      assertThat(get.exitCode()).as(get.toString()).isZero();
      assertThat(get.out()).contains("kube-pool").contains("10.96.0.0/16").contains("CrossSubnet");
      assertThat(seen)
          .as("requests the API server got")
          .allSatisfy(r -> assertThat(r).endsWith(" Bearer it-token"))
          .anySatisfy(r -> assertThat(r).startsWith("GET /apis/netctl.dev/v1/ippools?limit="));
      assertThat(Files.readString(dir.resolve("kube-classes.log")))
          .contains("dev.netctl.kube.KubernetesDatastore");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void anUnreachableApiServerFailsTheCommandNamingItsAddress() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Run get = netctl(null, "--datastore", "kubernetes:" + kubeconfig(port), "get", "ippools");
    assertThat(get.exitCode()).isNotZero();
    assertThat(get.err()).contains("127.0.0.1:" + port).contains("unavailable");
  }

  @Test
  void embeddedCommandsLoadNoneOfTheKubernetesClient() throws Exception {
    // a get needs an existing store file: one writing command makes it
    Run made =
        netctl(
            null,
            "--datastore",
            "embedded:" + dir.resolve("e.db"),
            "ipam",
            "configure",
            "--strict-affinity",
            "false");
    assertThat(made.exitCode()).as(made.toString()).isZero();
    Run get =
        netctl(
            "-Xlog:class+load=info:file=" + dir.resolve("embedded-classes.log"),
            "--datastore",
            "embedded:" + dir.resolve("e.db"),
            "get",
            "ippools");
    assertThat(get.exitCode()).as(get.toString()).isZero();
    String classes = Files.readString(dir.resolve("embedded-classes.log"));
    assertThat(classes).contains("dev.netctl.datastore.embedded.EmbeddedDatastore");
    assertThat(
            classes.lines().filter(l -> l.contains("io.fabric8") || l.contains("dev.netctl.kube")))
        .as("fabric8 or kube-datastore classes loaded by an embedded command")
        .isEmpty();
  }

  private Path kubeconfig(int port) throws IOException {
    return Files.writeString(
        dir.resolve("kubeconfig"),
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: it
          cluster:
            server: http://127.0.0.1:%d
        users:
        - name: it
          user:
            token: it-token
        contexts:
        - name: it
          context:
            cluster: it
            user: it
        current-context: it
        """
            .formatted(port));
  }

  private Run netctl(String javaOpts, String... args) throws IOException, InterruptedException {
    Path launcher = Path.of("").toAbsolutePath().getParent().resolve("netctl");
    List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("NETCTL_NO_BUILD", "1");
    pb.environment().put("XDG_CACHE_HOME", cache.toString());
    pb.environment().remove("NETCTL_DATASTORE");
    pb.environment().remove("KUBECONFIG");
    if (javaOpts != null) pb.environment().put("NETCTL_JAVA_OPTS", javaOpts);
    pb.redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
    Process p = pb.start();
    p.getOutputStream().close();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("netctl " + String.join(" ", args) + " did not finish in 90 s");
    }
    return new Run(
        p.exitValue(), Files.readString(dir.resolve("out")), Files.readString(dir.resolve("err")));
  }
}
