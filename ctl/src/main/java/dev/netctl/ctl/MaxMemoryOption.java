package dev.netctl.ctl;

import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * {@code --max-memory SIZE} of the long-running verbs ({@code bgp run}, {@code node run}, {@code
 * controller run}). The cap is applied by the launchers (the repository's {@code ./netctl} and the
 * image's), which must size the heap before the JVM exists and pass the size on as the property
 * {@code netctl.maxMemory}; a JVM started another way ({@code java -jar}) has its own limit, which
 * the user is told rather than left to believe the cap holds.
 */
final class MaxMemoryOption {

  @Option(
      names = "--max-memory",
      paramLabel = "SIZE",
      description =
          "Cap the process's memory (e.g. 256m, 2g; at least 128m). The netctl launcher reads it"
              + " before the JVM starts: the heap gets SIZE less 64m for the JVM itself. Default:"
              + " no cap, the heap grows with the tables.")
  String maxMemory;

  /**
   * Refuses a size the launcher could not have read, and warns on {@code err} when the cap is not
   * in force in this JVM.
   */
  void check(PrintWriter err) {
    if (maxMemory == null) {
      return;
    }
    if (!MemorySize.valid(maxMemory)) {
      throw new CliException(
          ExitCode.USAGE,
          "--max-memory \""
              + maxMemory
              + "\" is not a size: use a number with k, m or g (e.g. 256m, 2g)");
    }
    if (!maxMemory.equals(System.getProperty("netctl.maxMemory"))) {
      err.println(
          "warning: --max-memory "
              + maxMemory
              + " takes effect only through the netctl launcher; this JVM's heap limit is "
              + (Runtime.getRuntime().maxMemory() >> 20)
              + " MiB");
    }
  }
}
