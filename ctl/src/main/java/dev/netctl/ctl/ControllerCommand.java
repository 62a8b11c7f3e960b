package dev.netctl.ctl;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code netctl controller}: the cluster-wide controllers (Calico's kube-controllers' job). */
@Command(
    name = "controller",
    description = "Run the cluster-wide controllers: node cleanup and IPAM garbage collection.",
    subcommands = {ControllerRunCommand.class})
final class ControllerCommand implements Runnable {
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
