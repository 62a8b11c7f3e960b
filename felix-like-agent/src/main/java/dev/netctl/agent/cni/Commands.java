package dev.netctl.agent.cni;

import dev.netctl.agent.exec.Exec;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Runs the plugin's host-side shell scripts ({@code ip -batch} and friends). */
final class Commands {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Commands() {}

  /** Runs {@code argv} with {@code stdin}; never throws for a non-zero exit. */
  static Exec.Result run(List<String> argv, String stdin) {
    return Exec.run(TIMEOUT, Map.of(), stdin, argv);
  }

  /** {@code s} single-quoted for sh. */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
