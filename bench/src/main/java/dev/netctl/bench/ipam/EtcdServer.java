package dev.netctl.bench.ipam;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A throw-away single-member etcd ({@code /usr/bin/etcd}) on free loopback ports. */
final class EtcdServer implements AutoCloseable {
  private final Path dir;
  private final Process process;
  final int clientPort;

  EtcdServer() throws IOException, InterruptedException {
    dir = Files.createTempDirectory("netctl-bench-etcd-");
    int peer;
    try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      clientPort = a.getLocalPort();
      peer = b.getLocalPort();
    }
    String c = "http://127.0.0.1:" + clientPort;
    String p = "http://127.0.0.1:" + peer;
    process =
        new ProcessBuilder(
                "/usr/bin/etcd",
                "--name",
                "bench",
                "--data-dir",
                dir.resolve("data").toString(),
                "--listen-client-urls",
                c,
                "--advertise-client-urls",
                c,
                "--listen-peer-urls",
                p,
                "--initial-advertise-peer-urls",
                p,
                "--initial-cluster",
                "bench=" + p)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("etcd.log").toFile())
            .start();
    for (int i = 0; i < 200; i++) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), clientPort)) {
        Thread.sleep(500); // port open; give raft a moment to elect itself
        return;
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    close();
    throw new IOException("etcd did not start; see " + dir.resolve("etcd.log"));
  }

  String spec() {
    return "etcd:http://127.0.0.1:" + clientPort;
  }

  @Override
  public void close() throws IOException {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
