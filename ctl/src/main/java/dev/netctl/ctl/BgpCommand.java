package dev.netctl.ctl;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code netctl bgp}: run a standalone BGP speaker from a file and query it through its admin
 * endpoint, the way {@code calicoctl node status} shows BIRD's sessions. Only wires subcommands.
 */
@Command(
    name = "bgp",
    description = "Run a standalone BGP speaker and show its peers and routes.",
    subcommands = {
      BgpRunCommand.class,
      BgpPeersCommand.class,
      BgpRoutesCommand.class,
      BgpRefreshCommand.class,
      BgpResetCommand.class
    })
final class BgpCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
