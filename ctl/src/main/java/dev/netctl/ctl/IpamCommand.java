package dev.netctl.ctl;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code netctl ipam}: inspect and manage IP address management the way {@code calicoctl ipam}
 * users expect. Only wires its subcommands; each lives in its own class.
 */
@Command(
    name = "ipam",
    description = "Show, assign, release, check and configure IP address management.",
    subcommands = {
      IpamShowCommand.class,
      IpamAssignCommand.class,
      IpamReleaseCommand.class,
      IpamCheckCommand.class,
      IpamConfigureCommand.class,
    })
final class IpamCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @ParentCommand Netctl root;

  /** The root's datastore options, wherever on the command line they were given. */
  DatastoreOptions datastore() {
    return root.datastore();
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
