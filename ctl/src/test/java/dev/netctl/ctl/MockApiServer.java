package dev.netctl.ctl;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * fabric8's CRUD mock API server (kube-datastore's {@code MockApiServerMain}) in a child JVM. It
 * cannot run in this module's test JVM: its Vert.x 4 and jetcd's Vert.x 5 share artifact names, and
 * this module's class path holds the latter. The child runs on kube-datastore's test class path,
 * which that module's build writes to {@code target/mock-api-server.classpath}.
 */
final class MockApiServer implements AutoCloseable {
  private static final Path KUBE =
      Path.of("").toAbsolutePath().getParent().resolve("kube-datastore");

  private final Process process;
  private final int port;

  private MockApiServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts it, or skips (fails under CI=true) when kube-datastore's test build is missing. */
  static MockApiServer start() throws IOException {
    Path cpFile = KUBE.resolve("target/mock-api-server.classpath");
    Path testClasses = KUBE.resolve("target/test-classes");
    if (!Files.isReadable(cpFile) || !Files.isDirectory(testClasses)) {
      String why =
          "kube-datastore's test build is missing ("
              + cpFile
              + "): build it through the reactor (-pl ctl -am)";
      if ("true".equals(System.getenv("CI"))) throw new IllegalStateException(why);
      assumeTrue(false, why);
    }
    String classpath =
        String.join(
            java.io.File.pathSeparator,
            testClasses.toString(),
            KUBE.resolve("target/classes").toString(),
            Files.readString(cpFile).strip());
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(java, "-cp", classpath, "dev.netctl.kube.MockApiServerMain")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> readLine(out));
    String line;
    try {
      line = first.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IllegalStateException("the mock API server did not start: " + e, e);
    }
    if (line == null || !line.startsWith("PORT ")) {
      p.destroyForcibly();
      throw new IllegalStateException("the mock API server did not start: " + line);
    }
    return new MockApiServer(p, Integer.parseInt(line.substring(5).strip()));
  }

  private static String readLine(BufferedReader r) {
    try {
      return r.readLine();
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * A kubeconfig for it (plain HTTP on loopback, a token nobody checks), written to {@code dir}.
   */
  Path kubeconfig(Path dir) throws IOException {
    return Files.writeString(
        dir.resolve("mock-kubeconfig"),
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: http://127.0.0.1:%d
        users:
        - name: mock
          user:
            token: mock-token
        contexts:
        - name: mock
          context:
            cluster: mock
            user: mock
        current-context: mock
        """
            .formatted(port));
  }

  @Override
  public void close() throws InterruptedException {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // it is going away anyway
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
