package dev.netctl.ctl.e2e;

import dev.netctl.agent.exec.Exec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Runs commands for the network-namespace tests, bounded in time. */
final class Sh {

  record Result(int exit, String out) {
    boolean ok() {
      return exit == 0;
    }
  }

  private Sh() {}

  /** Runs {@code argv} with a time limit; stdout, then stderr. */
  static Result run(int timeoutSeconds, String... argv) {
    Exec.Result r = Exec.run(Duration.ofSeconds(timeoutSeconds), List.of(argv));
    if (!r.completed()) return new Result(-1, r.abort());
    return new Result(r.exit(), r.stdout() + r.stderr());
  }

  /** Runs and fails unless it exits 0. */
  static String check(String... argv) {
    Result r = run(30, argv);
    if (!r.ok()) throw new IllegalStateException(String.join(" ", argv) + " failed: " + r.out());
    return r.out();
  }

  /** Runs {@code argv} inside network namespace {@code netns} (10 s at most); its output. */
  static String in(String netns, String... argv) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    full.addAll(List.of(argv));
    return run(10, full.toArray(String[]::new)).out();
  }

  /** The command line of netctl's jar, run by {@code java} inside {@code netns} on a datastore. */
  static List<String> netctlIn(
      String netns, String java, Path jar, String datastore, String... args) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "ip",
                "netns",
                "exec",
                netns,
                java,
                "--sun-misc-unsafe-memory-access=allow",
                "-jar",
                jar.toString(),
                "--datastore",
                datastore));
    argv.addAll(List.of(args));
    return argv;
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
