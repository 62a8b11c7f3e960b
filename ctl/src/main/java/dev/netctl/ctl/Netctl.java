package dev.netctl.ctl;

import java.io.PrintWriter;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * The {@code netctl} root command. It only wires subcommands and maps failures to one stderr line
 * and a documented exit code ({@link ExitCode}); each verb lives in its own class.
 */
@Command(
    name = "netctl",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT,
    versionProvider = Netctl.Version.class,
    description = "Manage netctl IP pools, BGP peers, IPAM and nodes.",
    subcommands = {
      VersionCommand.class,
      DemoCommand.class,
      IpamCommand.class,
      AutoComplete.GenerateCompletion.class,
    })
public final class Netctl implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Builds the command line; tests call this with their own writers. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Netctl());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(new Failures());
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          ex.getCommandLine().getErr().println("error: " + ex.getMessage());
          ex.getCommandLine().getErr().flush();
          return ExitCode.USAGE;
        });
    // The completion script is generated on demand; it is not a user-facing verb in help.
    CommandLine gen = cl.getSubcommands().get("generate-completion");
    if (gen != null) gen.getCommandSpec().usageMessage().hidden(false);
    return cl;
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = commandLine(out, err).execute(args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Supplies {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"netctl " + VersionCommand.version()};
    }
  }
}
