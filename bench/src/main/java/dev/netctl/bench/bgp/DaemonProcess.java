package dev.netctl.bench.bgp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A daemon run in the foreground under the harness, its output in a log file of the temp dir. A JVM
 * shutdown hook kills every daemon still running, so an interrupted benchmark leaves nothing
 * behind.
 */
final class DaemonProcess implements AutoCloseable {
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> RUNNING.forEach(DaemonProcess::kill), "bench-daemons"));
  }

  private final String name;
  private final Process process;
  private final Path log;

  private DaemonProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code command} in {@code dir}, stdout and stderr to {@code <name>.log}. */
  static DaemonProcess start(String name, List<String> command, Path dir) {
    Path log = dir.resolve(name + ".log");
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      RUNNING.add(p);
      return new DaemonProcess(name, p, log);
    } catch (IOException e) {
      throw new BenchException("cannot start " + name + " (" + command.get(0) + "): " + e, e);
    }
  }

  /** Waits until {@code address} accepts a TCP connection, or fails with the daemon's log. */
  void awaitListening(InetSocketAddress address, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new BenchException(name + " exited with " + process.exitValue() + ": " + logTail());
      }
      try (Socket s = new Socket()) {
        s.connect(address, 200);
        return;
      } catch (IOException notYet) {
        sleep(50);
      }
    }
    throw new BenchException(
        name
            + " did not listen on "
            + address
            + " within "
            + timeout.toSeconds()
            + " s: "
            + logTail());
  }

  /** Waits until the daemon's output contains {@code text}, or fails with the daemon's log. */
  void awaitLog(String text, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (Files.readString(log).contains(text)) {
          return;
        }
      } catch (IOException | UncheckedIOException notYet) {
        // not written yet, or not text yet
      }
      if (!process.isAlive()) {
        throw new BenchException(name + " exited with " + process.exitValue() + ": " + logTail());
      }
      sleep(50);
    }
    throw new BenchException(
        name + " did not print '" + text + "' within " + timeout.toSeconds() + " s: " + logTail());
  }

  /** The operating-system pid. */
  long pid() {
    return process.pid();
  }

  /** Whether the daemon still runs. */
  boolean alive() {
    return process.isAlive();
  }

  /** The last lines of the daemon's output, for error messages. */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    kill(process);
    RUNNING.remove(process);
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroy();
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted");
    }
  }
}
