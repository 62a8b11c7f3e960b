package dev.netctl.ctl;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code netctl bgp refresh --peer ADDR}: asks a peer of a running {@code netctl bgp run} to send
 * its routes again (ROUTE-REFRESH, RFC 2918: a soft reset in, the session stays up).
 */
@Command(
    name = "refresh",
    description = "Ask a BGP peer to resend its routes (ROUTE-REFRESH, soft reset in).")
final class BgpRefreshCommand extends BgpAdminCommand {

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
    List<String> families = client().refresh(peer, family == null ? null : family.name());
    var out = spec.commandLine().getOut();
    out.println("route refresh requested from " + peer + " (" + String.join(", ", families) + ")");
    out.flush();
    return ExitCode.OK;
  }
}
