package dev.netctl.ctl.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs commands for the network-namespace tests, bounded in time. */
final class Sh {

  record Result(int exit, String out) {
    boolean ok() {
      return exit == 0;
    }
  }

  private Sh() {}

  /** Runs {@code argv} with a time limit; stdout and stderr merged. */
  static Result run(int timeoutSeconds, String... argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      p.getOutputStream().close();
      var out = p.getInputStream();
      var text = new java.util.concurrent.CompletableFuture<String>();
      Thread.startVirtualThread(
          () -> {
            try {
              text.complete(new String(out.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
              text.complete("");
            }
          });
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        return new Result(-1, "timed out: " + String.join(" ", argv));
      }
      return new Result(p.exitValue(), text.get(5, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new IllegalStateException("running " + String.join(" ", argv) + ": " + e, e);
    }
  }

  /** Runs and fails unless it exits 0. */
  static String check(String... argv) {
    Result r = run(30, argv);
    if (!r.ok()) throw new IllegalStateException(String.join(" ", argv) + " failed: " + r.out());
    return r.out();
  }

  /** Runs each line of {@code script} with {@code sh -c}, failing on the first error. */
  static void script(String script) {
    Result r = run(60, "sh", "-ec", script);
    if (!r.ok()) throw new IllegalStateException("script failed: " + r.out() + "\n" + script);
  }

  /**
   * These tests need root (network namespaces) and the tools they run: skipped without them, except
   * under CI=true, where a missing component fails the test.
   */
  static void requireRootAndTools(String... tools) {
    String why = null;
    if (!"root".equals(System.getProperty("user.name"))) why = "needs root for network namespaces";
    for (String t : tools) {
      if (why == null
          && List.of("/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/").stream()
              .noneMatch(d -> Files.isExecutable(Path.of(d + t)))) {
        why = t + " not installed";
      }
    }
    if (why == null) return;
    if ("true".equals(System.getenv("CI"))) throw new IllegalStateException(why);
    Assumptions.abort(why);
  }
}
