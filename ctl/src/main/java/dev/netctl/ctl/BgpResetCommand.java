package dev.netctl.ctl;

import dev.netctl.ctl.bgp.StandaloneSpeaker;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code netctl bgp reset PEER [--soft in|out|both] [--hard]}: resets a peer of a running {@code
 * netctl bgp run}, as GoBGP's {@code neighbor X reset/softreset} and BIRD's {@code restart} /
 * {@code reload in|out} do. Without {@code --soft} the session goes down with Cease/Administrative
 * Reset and comes up again; with it the session stays up and routes are exchanged again.
 */
@Command(
    name = "reset",
    description = {
      "Reset a BGP peer's session (Cease/Administrative Reset, RFC 4486), or with --soft exchange"
          + " its routes again while the session stays up.",
      "--soft in: ask the peer for its routes (ROUTE-REFRESH, enhanced if negotiated);"
          + " out: send it ours again; both: both."
    })
final class BgpResetCommand extends BgpAdminCommand {

  /** The directions of a soft reset. */
  enum Soft {
    in,
    out,
    both
  }

  @Parameters(index = "0", paramLabel = "PEER", description = "The peer's address.")
  String peer;

  @Option(
      names = "--soft",
      paramLabel = "in|out|both",
      description = "Keep the session up; exchange routes again: ${COMPLETION-CANDIDATES}.")
  Soft soft;

  @Option(
      names = "--hard",
      description =
          "Send Cease/Hard Reset (RFC 8538): both sides flush the peer's routes even where a"
              + " reset would keep them as stale.")
  boolean hard;

  @Override
  public Integer call() {
    try {
      java.net.InetAddress.ofLiteral(peer);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "PEER \"" + peer + "\" must be an IP address");
    }
    if (hard && soft != null) {
      throw new CliException(ExitCode.USAGE, "--hard and --soft are exclusive");
    }
    StandaloneSpeaker.Reset r =
        client().reset(peer, soft == null ? null : soft.name().toLowerCase(Locale.ROOT), hard);
    var out = spec.commandLine().getOut();
    if ("forgotten".equals(r.action())) {
      out.println(
          "reset of "
              + r.peer()
              + ": a dynamic peer kept down for too many prefixes, and its range is full:"
              + " forgotten; it connects again as a new peer when the range has room");
    } else if (soft == null) {
      out.println(
          (hard ? "hard reset" : "reset")
              + " of "
              + r.peer()
              + ": session closed with Cease/"
              + (hard ? "Hard Reset" : "Administrative Reset")
              + ", reconnecting");
    } else {
      if (!r.in().isEmpty()) {
        out.println(
            "route refresh requested from " + r.peer() + " (" + String.join(", ", r.in()) + ")");
      }
      if (!r.out().isEmpty()) {
        out.println("routes sent again to " + r.peer() + " (" + String.join(", ", r.out()) + ")");
      }
    }
    out.flush();
    return ExitCode.OK;
  }
}
