package dev.netctl.ctl;

import dev.netctl.ctl.bgp.AdminAddress;
import dev.netctl.ctl.bgp.AdminClient;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * A verb of {@code netctl bgp} that talks to a running {@code netctl bgp run} through its admin
 * endpoint ({@code peers}, {@code routes}, {@code refresh}, {@code reset}). The {@code --admin}
 * option lives here, in the verbs' common base, rather than in a picocli mixin: a mixin under the
 * root's inherited options duplicates them.
 */
abstract class BgpAdminCommand implements Callable<Integer>, WithoutDatastore {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--admin",
      paramLabel = "IP:PORT|unix:PATH",
      defaultValue = AdminAddress.DEFAULT,
      description = "Admin endpoint of `netctl bgp run` (default ${DEFAULT-VALUE}).")
  String admin;

  /** A client of the endpoint {@code --admin} names. */
  AdminClient client() {
    try {
      return new AdminClient(AdminAddress.parse(admin));
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "--admin \"" + admin + "\" " + e.getMessage());
    }
  }
}
