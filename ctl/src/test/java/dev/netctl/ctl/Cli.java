package dev.netctl.ctl;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code netctl} in-process against one datastore, the way a user would from a shell, and
 * captures what it printed and its exit code.
 */
final class Cli {
  private final String datastoreSpec;

  /**
   * @param datastoreSpec passed as {@code --datastore}, or null for commands that need none
   */
  Cli(String datastoreSpec) {
    this.datastoreSpec = datastoreSpec;
  }

  /** The outcome of one invocation. */
  record Run(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  Run run(String... args) {
    return runWithStdin("", args);
  }

  Run runWithStdin(String stdin, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (datastoreSpec != null) {
      all.add("--datastore");
      all.add(datastoreSpec);
    }
    return raw(stdin, all.toArray(String[]::new));
  }

  /** Runs exactly {@code args}, adding no datastore option. */
  static Run raw(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      code =
          Netctl.execute(
              new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), o, e, args);
    }
    return new Run(code, out.toString(), err.toString());
  }
}
