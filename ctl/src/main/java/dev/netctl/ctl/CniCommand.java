package dev.netctl.ctl;

import picocli.CommandLine.Command;

/**
 * {@code netctl cni}: install the CNI plugin on a node (and, hidden, serve its agent socket for
 * development and tests until the node agent does). Only wires subcommands.
 */
@Command(
    name = "cni",
    description = "Install the netctl CNI plugin and its network config on this node.",
    subcommands = {CniInstallCommand.class, CniServeCommand.class})
final class CniCommand extends CommandGroup {}
