package dev.netctl.ctl;

import picocli.CommandLine.Command;

/**
 * {@code netctl ipam}: inspect and manage IP address management the way {@code calicoctl ipam}
 * users expect. Only wires its subcommands; each lives in its own class.
 */
@Command(
    name = "ipam",
    description = "Show, assign, release, check, configure and split IP address management.",
    subcommands = {
      IpamShowCommand.class,
      IpamAssignCommand.class,
      IpamReleaseCommand.class,
      IpamCheckCommand.class,
      IpamConfigureCommand.class,
      IpamSplitCommand.class,
    })
final class IpamCommand extends CommandGroup {}
