package dev.netctl.agent.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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

  private static final long TIMEOUT_SECONDS = 60;

  private Commands() {}

  static Result run(List<String> argv, String stdin) {
    ProcessBuilder pb = new ProcessBuilder(argv);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new KernelException("cannot run " + String.join(" ", argv) + ": " + e.getMessage(), e);
    }
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    try (OutputStream in = p.getOutputStream()) {
      if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // The tool exited early (it reads no stdin, or failed); its exit code tells the rest.
    }
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new KernelException(
            String.join(" ", argv) + " did not finish within " + TIMEOUT_SECONDS + " s");
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new KernelException("interrupted running " + String.join(" ", argv), e);
    }
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
