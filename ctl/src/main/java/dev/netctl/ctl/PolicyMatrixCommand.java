package dev.netctl.ctl;

import dev.netctl.agent.policy.Endpoint;
import dev.netctl.agent.policy.IpFamily;
import dev.netctl.agent.policy.Matrix;
import dev.netctl.agent.policy.PolicySnapshot;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code netctl policy matrix}: the reachability truth table for every ordered pod pair (loopback
 * excluded), one table per port, as the upstream network-policy e2e suite prints it.
 */
@Command(
    name = "matrix",
    description = {
      "Print who may reach whom on each port: a table of every pod pair.",
      "Rows are sources, columns destinations, '.' allowed, 'X' denied ('-' on the diagonal: a",
      "pod to itself is not evaluated); one table per port.",
      "Example: netctl policy matrix -f policies/ --ports 80/TCP,81/UDP"
    })
final class PolicyMatrixCommand implements Callable<Integer> {

  @ParentCommand PolicyCommand policy;
  @Spec CommandSpec spec;
  @Mixin FileOptions files;

  @Option(
      names = "--ports",
      required = true,
      split = ",",
      paramLabel = "PORT/PROTO",
      description = "Ports to tabulate, e.g. 80/TCP,81/UDP.")
  List<String> ports;

  @Option(
      names = "--ipv6",
      description = "Tabulate IPv6 traffic between the pods' IPv6 addresses (default: IPv4).")
  boolean ipv6;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "table (default) or json.")
  PolicyCommand.Format output = PolicyCommand.Format.table;

  @Override
  public Integer call() {
    List<Matrix.PortProto> pps = new ArrayList<>();
    for (String p : ports) {
      try {
        pps.add(Matrix.PortProto.parse(p));
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCode.USAGE, "--ports \"" + p + "\": " + e.getMessage());
      }
    }
    List<String> notes = new ArrayList<>();
    PolicySnapshot snap = policy.snapshot(files, ResourceVerb.CODEC, notes);
    IpFamily family = ipv6 ? IpFamily.V6 : IpFamily.V4;
    List<Matrix.Cell> cells = Matrix.compute(snap.evaluator(), snap.endpoints(), pps, family);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    notes.addAll(leftOut(snap.endpoints(), family));
    for (String n : notes) err.println("note: " + n);
    err.flush();
    if (output == PolicyCommand.Format.json) {
      IpamJson.print(out, cells);
      return ExitCode.OK;
    }
    Map<String, Boolean> byKey = new HashMap<>();
    for (Matrix.Cell c : cells) byKey.put(c.port() + " " + c.from() + " " + c.to(), c.allowed());
    List<String> ids =
        snap.endpoints().stream().filter(e -> e.address(family) != null).map(Endpoint::id).toList();
    boolean firstTable = true;
    for (Matrix.PortProto pp : pps) {
      if (!firstTable) out.println();
      firstTable = false;
      List<List<String>> rows = new ArrayList<>();
      List<String> header = new ArrayList<>();
      header.add(pp.toString());
      header.addAll(ids);
      rows.add(header);
      for (String s : ids) {
        List<String> row = new ArrayList<>();
        row.add(s);
        for (String d : ids) {
          if (s.equals(d)) row.add("-");
          else row.add(byKey.get(pp + " " + s + " " + d) ? "." : "X");
        }
        rows.add(row);
      }
      print(out, rows);
    }
    out.flush();
    return ExitCode.OK;
  }

  /**
   * Says which pods the table leaves out for having no address of its family, and how to see them:
   * without it an IPv6-only cluster's matrix (IPv4 by default) is an empty table and exit 0.
   */
  static List<String> leftOut(List<Endpoint> endpoints, IpFamily family) {
    List<String> without =
        endpoints.stream().filter(e -> e.address(family) == null).map(Endpoint::id).toList();
    if (without.isEmpty()) return List.of();
    String fam = family == IpFamily.V6 ? "IPv6" : "IPv4";
    String other =
        family == IpFamily.V6
            ? "the IPv4 table, without --ipv6, shows it"
            : "--ipv6 tabulates IPv6";
    return List.of(
        (without.size() == 1 ? "1 pod has" : without.size() + " pods have")
            + " no "
            + fam
            + " address and "
            + (without.size() == 1 ? "is" : "are")
            + " left out: "
            + String.join(", ", without)
            + " ("
            + other
            + ")");
  }

  /** Left-aligned columns, two spaces apart; names keep their case (unlike {@link Table}). */
  private static void print(PrintWriter out, List<List<String>> rows) {
    int[] width = new int[rows.getFirst().size()];
    for (List<String> r : rows) {
      for (int i = 0; i < width.length; i++) width[i] = Math.max(width[i], r.get(i).length());
    }
    for (List<String> r : rows) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < width.length; i++) {
        sb.append(r.get(i));
        if (i < width.length - 1) sb.append(" ".repeat(width[i] - r.get(i).length() + 2));
      }
      out.println(sb.toString().stripTrailing());
    }
  }
}
