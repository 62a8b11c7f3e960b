package dev.netctl.ctl;

import dev.netctl.ctl.bgp.RouteView;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code netctl bgp routes}: routes received from peers (default) or advertised to them, one row
 * per path: {@code PREFIX | NEXT HOP | AS PATH | FROM PEER | COMMUNITIES | LARGE COMMUNITIES}, and
 * {@code STALE} when a peer's graceful restart left routes marked stale.
 */
@Command(name = "routes", description = "Show routes received from or advertised to BGP peers.")
final class BgpRoutesCommand extends BgpAdminCommand {

  /** Address families of {@code --family}. */
  enum Family {
    ipv4,
    ipv6
  }

  @Option(names = "--family", description = "Only this family: ${COMPLETION-CANDIDATES}.")
  Family family;

  @Option(names = "--peer", paramLabel = "ADDR", description = "Only routes of this peer.")
  String peer;

  @Option(names = "--received", description = "Routes received from peers (the default).")
  boolean received;

  @Option(names = "--advertised", description = "Routes we advertise to peers.")
  boolean advertised;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "Output format: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  BgpPeersCommand.Format output;

  @Override
  public Integer call() throws Exception {
    if (received && advertised) {
      throw new CliException(ExitCode.USAGE, "--received and --advertised are exclusive");
    }
    if (peer != null) {
      try {
        java.net.InetAddress.ofLiteral(peer);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCode.USAGE, "--peer \"" + peer + "\" must be an IP address");
      }
    }
    List<RouteView> routes =
        client().routes(family == null ? null : family.name(), peer, advertised);
    var out = spec.commandLine().getOut();
    if (output == BgpPeersCommand.Format.json) {
      out.println(BgpPeersCommand.JSON.writeValueAsString(routes));
      out.flush();
      return ExitCode.OK;
    }
    if (routes.isEmpty()) {
      spec.commandLine().getErr().println("No routes found.");
      spec.commandLine().getErr().flush();
      return ExitCode.OK;
    }
    // STALE only when a route is: kept from before a peer's graceful restart (RFC 4724).
    boolean anyStale = routes.stream().anyMatch(RouteView::stale);
    // PATH ID only when a session uses ADD-PATH (RFC 7911): several rows may share a prefix.
    boolean anyPathId = routes.stream().anyMatch(r -> r.pathId() != null);
    List<String> headers = new java.util.ArrayList<>(List.of("prefix"));
    if (anyPathId) headers.add("path id");
    headers.addAll(
        List.of(
            "next hop",
            "as path",
            advertised ? "to peer" : "from peer",
            "communities",
            "large communities"));
    if (anyStale) headers.add("stale");
    Table t = new Table(headers);
    for (RouteView r : routes) {
      List<String> row = new java.util.ArrayList<>(List.of(r.prefix()));
      if (anyPathId) row.add(r.pathId() == null ? "" : r.pathId().toString());
      row.addAll(
          List.of(
              r.nextHop(),
              r.asPath(),
              r.peer(),
              String.join(",", r.communities()),
              String.join(",", r.largeCommunities())));
      if (anyStale) row.add(r.stale() ? "stale" : "");
      t.row(row);
    }
    t.print(out);
    return ExitCode.OK;
  }
}
