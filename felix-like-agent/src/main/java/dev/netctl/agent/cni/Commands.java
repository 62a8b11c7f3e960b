package dev.netctl.agent.cni;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs one short-lived command (a shell script for {@code ip -batch}) and returns its stdout. */
final class Commands {

  /** What a command printed and how it ended. */
  record Outcome(int exit, String stdout, String stderr) {
    boolean ok() {
      return exit == 0;
    }
  }

  private static final long TIMEOUT_SECONDS = 30;

  private Commands() {}

  /** Runs {@code argv} with {@code stdin}; never throws for a non-zero exit. */
  static Outcome run(List<String> argv, String stdin) {
    Process p;
    try {
      p = new ProcessBuilder(argv).start();
    } catch (IOException e) {
      return new Outcome(127, "", argv.getFirst() + ": " + e.getMessage());
    }
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // the command exited early; its exit code and stderr say why
    }
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Outcome(
            124, out.getNow(""), argv + " timed out after " + TIMEOUT_SECONDS + " s");
      }
      return new Outcome(p.exitValue(), out.join(), err.join());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return new Outcome(130, "", "interrupted");
    }
  }

  private static CompletableFuture<String> drain(InputStream s) {
    CompletableFuture<String> f = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (s) {
                f.complete(new String(s.readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException e) {
                f.complete("");
              }
            });
    return f;
  }

  /** {@code s} single-quoted for sh. */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
