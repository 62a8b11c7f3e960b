package dev.netctl.ctl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.netctl.ctl.bgp.PeerView;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code netctl bgp peers}: the session table {@code calicoctl node status} users know ({@code PEER
 * ADDRESS | PEER TYPE | STATE | SINCE | INFO}), one section for IPv4 peers and one for IPv6.
 */
@Command(name = "peers", description = "Show the BGP sessions of a running `netctl bgp run`.")
final class BgpPeersCommand extends BgpAdminCommand {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Output formats of {@code -o}. */
  enum Format {
    table,
    json
  }

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "Output format: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  Format output;

  @Override
  public Integer call() throws Exception {
    List<PeerView> peers = client().peers();
    var out = spec.commandLine().getOut();
    if (output == Format.json) {
      out.println(JSON.writeValueAsString(peers));
      out.flush();
      return ExitCode.OK;
    }
    section("IPv4", peers.stream().filter(p -> !p.address().contains(":")).toList(), out);
    out.println();
    section("IPv6", peers.stream().filter(p -> p.address().contains(":")).toList(), out);
    out.flush();
    return ExitCode.OK;
  }

  private static void section(String family, List<PeerView> peers, java.io.PrintWriter out) {
    out.println(family + " BGP status");
    if (peers.isEmpty()) {
      out.println("No " + family + " peers found.");
      return;
    }
    Table t = new Table(List.of("peer address", "peer type", "state", "since", "info"));
    for (PeerView p : peers) {
      t.row(List.of(p.address(), p.type(), p.state(), p.since(), info(p)));
    }
    t.print(out);
  }

  private static String info(PeerView p) {
    // The speaker keeps the last error after a session recovers; once up, the count says more.
    String info =
        p.state().equals("established") ? p.receivedPrefixes() + " routes received" : p.info();
    if (p.state().equals("established") && p.loopedPrefixes() > 0) {
      // Kept in the Adj-RIB-In as sent but never used: without this the count misleads.
      info += ", " + p.loopedPrefixes() + " not used (our AS in their AS_PATH)";
    }
    if (p.state().equals("established") && !p.lastError().isEmpty()) {
      // RFC 7606 kept the session up; without this the missing routes have no explanation.
      info += "; last malformed UPDATE: " + p.lastError();
    }
    if (p.withheldRoutes() > 0) {
      // Routes we never sent it, logged one by one: without this nothing here explains them.
      info +=
          (info.isEmpty() ? "" : "; ")
              + p.withheldRoutes()
              + " of our routes withheld: too large for one UPDATE to it (see the log)";
    }
    if (p.staleRoutes()) {
      info += (info.isEmpty() ? "" : "; ") + "routes kept as stale (graceful restart)";
    }
    if (!p.notices().isEmpty()) {
      info += (info.isEmpty() ? "" : "; ") + p.notices();
    }
    return info;
  }
}
