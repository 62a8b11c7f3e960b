package dev.netctl.ctl;

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
final class BgpCommand extends CommandGroup implements WithoutDatastore {}
