package dev.netctl.bgp.interop;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real routing daemon started for a test in its own temp dir, with output in a log file, and
 * killed (with every child) on close.
 */
final class Daemon implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  private Daemon(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Checks a binary exists: missing fails under CI=true (the component is required there) and skips
   * elsewhere.
   */
  static void require(String binary) {
    boolean present = Files.isExecutable(Path.of(binary));
    if (!present && "true".equals(System.getenv("CI"))) {
      fail(binary + " is missing; install it (Debian package) to run the interop tests in CI");
    }
    assumeTrue(present, binary + " is not installed");
  }

  static Daemon start(String name, Path dir, List<String> command, Map<String, String> env)
      throws IOException {
    Path log = dir.resolve(name + ".out");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return new Daemon(name, pb.start(), log);
  }

  /** Runs a CLI command to completion (bounded) and returns its output. */
  static String run(Duration timeout, List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return "timeout running " + command;
      }
      return new String(p.getInputStream().readAllBytes());
    } finally {
      p.destroyForcibly();
    }
  }

  /** Kills the daemon with SIGKILL, as a crash would: it sends no NOTIFICATION. */
  void crash() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(5, TimeUnit.SECONDS);
  }

  boolean alive() {
    return process.isAlive();
  }

  /** What the daemon printed so far, for failure messages. */
  String output() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "unreadable log: " + e;
    }
  }

  @Override
  public void close() throws InterruptedException {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }

  @Override
  public String toString() {
    return name;
  }
}
