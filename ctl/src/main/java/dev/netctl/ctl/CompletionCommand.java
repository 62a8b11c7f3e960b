package dev.netctl.ctl;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code netctl completion bash|zsh}: prints the shell completion script. picocli's script is
 * written for bash and also runs in zsh after {@code bashcompinit}, so both names print it.
 */
@Command(
    name = "completion",
    description = {
      "Print a shell completion script (bash, or zsh with bashcompinit).",
      "Example: source <(netctl completion bash)"
    })
final class CompletionCommand implements Callable<Integer>, WithoutDatastore {

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "SHELL",
      description = "bash (default) or zsh.")
  String shell = "bash";

  @Override
  public Integer call() {
    if (!shell.equals("bash") && !shell.equals("zsh")) {
      throw new CliException(
          ExitCode.USAGE, "unsupported shell \"" + shell + "\"; use bash or zsh");
    }
    var out = spec.commandLine().getOut();
    if (shell.equals("zsh")) {
      out.println("autoload -U +X compinit && compinit");
      out.println("autoload -U +X bashcompinit && bashcompinit");
    }
    out.print(AutoComplete.bash("netctl", spec.root().commandLine()));
    out.flush();
    return ExitCode.OK;
  }
}
