package dev.netctl.ctl;

import picocli.CommandLine.Command;

/** {@code netctl node}: run this node's agent, and show a running agent's state. */
@Command(
    name = "node",
    description = "Run the node agent, and show its BGP and dataplane status.",
    subcommands = {NodeRunCommand.class, NodeStatusCommand.class})
final class NodeCommand extends CommandGroup {}
