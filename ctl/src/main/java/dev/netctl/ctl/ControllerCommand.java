package dev.netctl.ctl;

import picocli.CommandLine.Command;

/** {@code netctl controller}: the cluster-wide controllers (Calico's kube-controllers' job). */
@Command(
    name = "controller",
    description = "Run the cluster-wide controllers: node cleanup and IPAM garbage collection.",
    subcommands = {ControllerRunCommand.class})
final class ControllerCommand extends CommandGroup {}
