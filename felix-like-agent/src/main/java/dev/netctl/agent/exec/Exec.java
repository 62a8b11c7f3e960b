package dev.netctl.agent.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one short-lived command (ip, nft, a CNI plugin, a test's probe) with optional input and
 * environment, bounded in time, and returns what it printed. It never throws: a command that cannot
 * start, times out or is interrupted ends with the shell's conventional exit code and says why, so
 * each caller decides what a failure means to it.
 */
public final class Exec {
  /** The exit code of a command that could not be started (the shell's "not found"). */
  public static final int NOT_STARTED = 127;

  /** The exit code of a command killed at its time limit (timeout(1)'s). */
  public static final int TIMED_OUT = 124;

  /** The exit code when the waiting thread was interrupted. */
  public static final int INTERRUPTED = 130;

  /**
   * What a command printed and how it ended; {@code abort} says why it did not run to its own end
   * (not started, killed at the time limit, interrupted), null when it did.
   */
  public record Result(int exit, String stdout, String stderr, String abort) {
    public boolean ok() {
      return exit == 0;
    }

    /** Whether the command ran and exited by itself (with any code). */
    public boolean completed() {
      return abort == null;
    }

    /** Its stdout, or its stderr when it failed without printing anything on stdout. */
    public String output() {
      return ok() || !stdout.isBlank() ? stdout : stderr;
    }
  }

  private Exec() {}

  /** Runs {@code argv} with no input and the inherited environment. */
  public static Result run(Duration timeout, List<String> argv) {
    return run(timeout, Map.of(), null, argv);
  }

  /**
   * Runs {@code argv} with {@code env} added to the inherited environment and {@code stdin}
   * (nothing when null) on its input, killing it after {@code timeout}.
   */
  public static Result run(
      Duration timeout, Map<String, String> env, String stdin, List<String> argv) {
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      String why = "cannot run " + argv.getFirst() + ": " + e.getMessage();
      return new Result(NOT_STARTED, "", why, why);
    }
    // Both streams drain while the command runs: a full pipe would block it forever.
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    try (OutputStream in = p.getOutputStream()) {
      if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // The command exited early (it reads no input, or failed); its exit code tells the rest.
    }
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        String why =
            String.join(" ", argv) + " did not finish within " + timeout.toSeconds() + " s";
        return new Result(TIMED_OUT, out.getNow(""), why, why);
      }
      return new Result(p.exitValue(), out.join(), err.join(), null);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      String why = "interrupted running " + String.join(" ", argv);
      return new Result(INTERRUPTED, "", why, why);
    }
  }

  private static CompletableFuture<String> drain(InputStream s) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (s) {
            return new String(s.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "";
          }
        },
        Thread::startVirtualThread);
  }
}
