package dev.netctl.ctl;

import dev.netctl.ctl.bgp.AdminAddress;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code netctl bgp refresh --peer ADDR}: asks a peer of a running {@code netctl bgp run} to send
 * its routes again (ROUTE-REFRESH, RFC 2918: a soft reset in, the session stays up).
 */
@Command(
    name = "refresh",
    description = "Ask a BGP peer to resend its routes (ROUTE-REFRESH, soft reset in).")
final class BgpRefreshCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--admin",
      paramLabel = "IP:PORT|unix:PATH",
      defaultValue = AdminAddress.DEFAULT,
      description = "Admin endpoint of `netctl bgp run` (default ${DEFAULT-VALUE}).")
  String admin;

  @Option(names = "--peer", required = true, paramLabel = "ADDR", description = "The peer.")
  String peer;

  @Option(
      names = "--family",
      description = "Only this family: ${COMPLETION-CANDIDATES} (default: every negotiated one).")
  BgpRoutesCommand.Family family;

  @Override
  public Integer call() {
    try {
      java.net.InetAddress.ofLiteral(peer);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "--peer \"" + peer + "\" must be an IP address");
    }
    List<String> families =
        BgpAdminOptions.client(admin).refresh(peer, family == null ? null : family.name());
    var out = spec.commandLine().getOut();
    out.println("route refresh requested from " + peer + " (" + String.join(", ", families) + ")");
    out.flush();
    return ExitCode.OK;
  }
}
