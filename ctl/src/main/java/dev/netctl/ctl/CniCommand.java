package dev.netctl.ctl;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code netctl cni}: install the CNI plugin on a node (and, hidden, serve its agent socket for
 * development and tests until the node agent does). Only wires subcommands.
 */
@Command(
    name = "cni",
    description = "Install the netctl CNI plugin and its network config on this node.",
    subcommands = {CniInstallCommand.class, CniServeCommand.class})
final class CniCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @ParentCommand Netctl root;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
