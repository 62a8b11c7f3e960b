package dev.netctl.ctl;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code netctl node}: run this node's agent, and show a running agent's state. */
@Command(
    name = "node",
    description = "Run the node agent, and show its BGP and dataplane status.",
    subcommands = {NodeRunCommand.class, NodeStatusCommand.class})
final class NodeCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @ParentCommand Netctl root;

  DatastoreOptions datastore() {
    return root.datastore();
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
