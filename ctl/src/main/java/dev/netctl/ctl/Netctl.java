package dev.netctl.ctl;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ScopeType;

/**
 * The {@code netctl} root command. It only wires subcommands (listed in {@link Verbs}) and maps
 * failures to one stderr line and a documented exit code ({@link ExitCode}); each verb lives in its
 * own class.
 */
@Command(
    name = "netctl",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT,
    versionProvider = Netctl.Version.class,
    description = "Manage netctl IP pools, BGP peers, IPAM and nodes.")
public final class Netctl implements Runnable {
  static final String NETTY_JFR = "io.netty.jfr.enabled";

  static final String NETTY_REFLECTION = "io.netty.tryReflectionSetAccessible";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin DatastoreOptions datastore;

  // Injectable so tests can feed `-f -` without touching System.in.
  private final InputStream stdin;

  private Netctl(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The global datastore options, wherever on the command line they were given. */
  DatastoreOptions datastore() {
    return datastore;
  }

  /** What {@code -f -} reads. */
  InputStream stdin() {
    return stdin;
  }

  /** Builds the whole command tree reading stdin from {@link System#in}. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    return commandLine(System.in, out, err);
  }

  /** Builds the whole command tree, every verb included. */
  public static CommandLine commandLine(InputStream in, PrintWriter out, PrintWriter err) {
    return commandLine(in, out, err, Verbs.ALL);
  }

  /**
   * Parses and runs {@code args} on a tree holding only the verbs they need (see {@link Verbs}):
   * what {@code main} does, and what tests call with their own streams.
   *
   * @return the exit code
   */
  public static int execute(InputStream in, PrintWriter out, PrintWriter err, String... args) {
    List<Class<?>> verbs = Verbs.needed(args);
    Warmup.start(verbs, args);
    return commandLine(in, out, err, verbs).execute(args);
  }

  private static CommandLine commandLine(
      InputStream in, PrintWriter out, PrintWriter err, List<Class<?>> verbs) {
    CommandLine cl = new CommandLine(new Netctl(in));
    for (Class<?> verb : verbs) cl.addSubcommand(verb);
    DatastoreOptions.hideInVerbsWithoutStore(cl);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(new Failures());
    cl.setParameterExceptionHandler(new UsageErrors());
    // picocli hides generate-completion by default; `netctl completion` is the documented verb,
    // but the picocli name keeps working for scripts that know it.
    CommandLine gen = cl.getSubcommands().get("generate-completion");
    if (gen != null) gen.getCommandSpec().usageMessage().hidden(true);
    return cl;
  }

  public static void main(String[] args) {
    setDefaultProperties();
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = execute(System.in, out, err, args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  static final String LOG_CONFIG_FILE = "java.util.logging.config.file";

  static final String LOG_CONFIG_CLASS = "java.util.logging.config.class";

  /**
   * Sets the system properties a netctl process starts with, before any verb runs: libraries read
   * them when their classes load.
   */
  static void setDefaultProperties() {
    // One line per log record (the agent's, the speaker's and the libraries'), timestamped in UTC
    // ISO 8601, instead of java.util.logging's two-line default (LogSetup). A property: read when
    // java.util.logging starts (at the first log, or the JDK's own check at System.exit). A
    // user's own logging configuration wins.
    if (System.getProperty(LOG_CONFIG_FILE) == null
        && System.getProperty(LOG_CONFIG_CLASS) == null) {
      System.setProperty(LOG_CONFIG_CLASS, LogSetup.class.getName());
    }
    // Netty's allocator emits JFR events whenever JFR is available, and turning them on loads the
    // JDK's flight recorder: 140 classes and 1.5-1.8 MiB of a speaker's resident memory
    // (docs/benchmarks.md), for events nothing records. -Dio.netty.jfr.enabled=true restores them.
    if (System.getProperty(NETTY_JFR) == null) {
      System.setProperty(NETTY_JFR, "false");
    }
    // Lets Netty make its direct buffers itself (memory it allocates and frees, no Cleaner) rather
    // than through ByteBuffer.allocateDirect, which zeroes every new chunk of the allocator: in a
    // speaker's first 10,000-prefix churn that zeroing was 4-8 % of the event loop's samples. It
    // needs java.nio opened to the jar (its manifest's Add-Opens) and Unsafe allowed (the
    // launcher's --sun-misc-unsafe-memory-access=allow); without them Netty falls back to
    // allocateDirect. The memory is freed only when its buffers are released: a leaked buffer is no
    // longer reclaimed by the collector, and counts against Netty's limit until the process ends.
    // -Dio.netty.tryReflectionSetAccessible=false restores allocateDirect.
    if (System.getProperty(NETTY_REFLECTION) == null) {
      System.setProperty(NETTY_REFLECTION, "true");
    }
  }

  /**
   * Prints a usage error as one {@code error:} line. A named class, not a lambda: picocli's
   * interfaces are Java 5 class files, and the launcher's class-data-sharing archive can keep them
   * only if no lambda proxy makes the JVM link them while the archive is recorded.
   */
  static final class UsageErrors implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
      // picocli words some messages (exclusive option groups) as "Error: ...": one prefix only.
      String message = ex.getMessage().replaceFirst("^Error: ", "");
      ex.getCommandLine().getErr().println("error: " + message);
      ex.getCommandLine().getErr().flush();
      return ExitCode.USAGE;
    }
  }

  /** Supplies {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"netctl " + VersionCommand.version()};
    }
  }
}
