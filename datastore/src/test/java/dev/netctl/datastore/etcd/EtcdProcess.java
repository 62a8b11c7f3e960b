package dev.netctl.datastore.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real etcd for tests: Debian's {@code /usr/bin/etcd}, one member on free loopback ports, data in
 * a temp dir. {@link #stop()} and {@link #restart()} keep the data dir and ports, so tests can
 * check that clients survive an etcd restart; {@link #close()} kills it and deletes the dir.
 *
 * <p>Shared with the modules above through this module's test-jar. When the binary is missing the
 * test is skipped, except under {@code CI=true}, where it fails: CI must run against real etcd.
 */
public final class EtcdProcess implements AutoCloseable {
  /** Where Debian's etcd-server package installs the binary. */
  public static final Path BINARY = Path.of("/usr/bin/etcd");

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

  private final Path dir;
  private final int clientPort;
  private final int peerPort;
  private final Tls tls;
  private Process process;
  // Kills etcd if the test JVM exits without close() (a failed @BeforeAll, a forgotten close).
  private final Thread reaper = new Thread(this::kill, "etcd-reaper");

  /**
   * Server TLS material: etcd then serves https and, with {@code clientCa}, requires client certs.
   */
  public record Tls(Path cert, Path key, Path clientCa) {}

  private EtcdProcess(Path dir, int clientPort, int peerPort, Tls tls) {
    this.dir = dir;
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.tls = tls;
  }

  /** Starts a plain-text etcd, or skips (fails under CI=true) when etcd is not installed. */
  public static EtcdProcess start() {
    return start(null);
  }

  /** Starts an etcd serving TLS with {@code tls}. */
  public static EtcdProcess start(Tls tls) {
    requireBinary();
    try {
      Path dir = Files.createTempDirectory("netctl-etcd-");
      int[] ports = freePorts(2);
      EtcdProcess etcd = new EtcdProcess(dir, ports[0], ports[1], tls);
      Runtime.getRuntime().addShutdownHook(etcd.reaper);
      try {
        etcd.launch();
      } catch (RuntimeException e) {
        etcd.close();
        throw e;
      }
      return etcd;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Fails under CI=true, skips otherwise, when the etcd binary is missing. */
  public static void requireBinary() {
    if (Files.isExecutable(BINARY)) return;
    String why = BINARY + " not found: install Debian's etcd-server package";
    if ("true".equals(System.getenv("CI"))) throw new IllegalStateException(why);
    Assumptions.abort(why);
  }

  /** The client URL, e.g. {@code http://127.0.0.1:40123}. */
  public URI endpoint() {
    return URI.create((tls == null ? "http" : "https") + "://127.0.0.1:" + clientPort);
  }

  /** The datastore spec for {@link dev.netctl.datastore.Datastores#open}. */
  public String spec() {
    return "etcd:" + endpoint();
  }

  /** The data and log directory. */
  public Path dir() {
    return dir;
  }

  /** Stops etcd gracefully (SIGTERM, then SIGKILL after 10 s); the data dir stays. */
  public synchronized void stop() {
    if (process == null) return;
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    process = null;
  }

  /** Kills etcd with SIGKILL, as a crash would; the data dir stays. */
  public synchronized void kill() {
    if (process == null) return;
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Stops and starts etcd again on the same ports and data dir, waiting until it is ready. */
  public synchronized void restart() {
    stop();
    launch();
  }

  /** Starts etcd again after {@link #stop()} or {@link #kill()}. */
  public synchronized void startAgain() {
    if (process == null) launch();
  }

  @Override
  public synchronized void close() {
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down: the hook is running or has run.
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Best effort: a leftover temp dir must not fail the test that used etcd.
    }
  }

  private synchronized void launch() {
    String scheme = tls == null ? "http" : "https";
    String client = scheme + "://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    List<String> cmd =
        new ArrayList<>(
            List.of(
                BINARY.toString(),
                "--name",
                "t",
                "--data-dir",
                dir.resolve("data").toString(),
                "--listen-client-urls",
                client,
                "--advertise-client-urls",
                client,
                "--listen-peer-urls",
                peer,
                "--initial-advertise-peer-urls",
                peer,
                "--initial-cluster",
                "t=" + peer));
    if (tls != null) {
      cmd.addAll(List.of("--cert-file", tls.cert().toString(), "--key-file", tls.key().toString()));
      if (tls.clientCa() != null) {
        cmd.addAll(List.of("--client-cert-auth", "--trusted-ca-file", tls.clientCa().toString()));
      }
    }
    Path log = dir.resolve("etcd.log");
    try {
      process =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + BINARY, e);
    }
    awaitReady(log);
  }

  private void awaitReady(Path log) {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "etcd exited with " + process.exitValue() + " before ready; log:\n" + tail(log));
      }
      if (ready(log)) return;
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for etcd", e);
      }
    }
    throw new IllegalStateException(
        "etcd not ready within " + READY_TIMEOUT + " on " + endpoint() + "; log:\n" + tail(log));
  }

  private boolean ready(Path log) {
    if (tls != null) {
      // Without a client certificate /health is refused; etcd logs this once it serves clients.
      return tail(log).contains("serving client requests on");
    }
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(endpoint() + "/health"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().contains("true");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static int[] freePorts(int n) throws IOException {
    // Hold all sockets open together so the n ports are distinct.
    ServerSocket[] sockets = new ServerSocket[n];
    int[] ports = new int[n];
    try {
      for (int i = 0; i < n; i++) {
        sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ports[i] = sockets[i].getLocalPort();
      }
    } finally {
      for (ServerSocket s : sockets) {
        if (s != null) s.close();
      }
    }
    return ports;
  }
}
