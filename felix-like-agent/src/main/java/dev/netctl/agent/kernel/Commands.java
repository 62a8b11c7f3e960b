package dev.netctl.agent.kernel;

import dev.netctl.agent.exec.Exec;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs one of the kernel tools ({@code ip}, {@code bridge}, {@code nft}) with input on stdin, with
 * a time limit, and returns what it printed. A batch tool is one process for any number of
 * operations: forking one per route costs ~2.5 ms each, a batch of 10,000 ~0.2 s.
 */
final class Commands {

  /** What a command printed and how it ended. */
  record Result(int exit, String stdout, String stderr) {
    boolean ok() {
      return exit == 0;
    }
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private Commands() {}

  /** Runs the tool; a tool that cannot run or does not finish is a kernel error, not a result. */
  static Result run(List<String> argv, String stdin) {
    Exec.Result r = Exec.run(TIMEOUT, Map.of(), stdin, argv);
    if (!r.completed()) throw new KernelException(r.abort());
    return new Result(r.exit(), r.stdout(), r.stderr());
  }

  /** Runs and fails on a non-zero exit, naming the command and its error output. */
  static String check(List<String> argv, String stdin) {
    Result r = run(argv, stdin);
    if (!r.ok()) {
      throw new KernelException(
          String.join(" ", argv) + " failed (exit " + r.exit() + "): " + r.stderr().strip());
    }
    return r.stdout();
  }
}
