package dev.netctl.ctl;

import dev.netctl.ipam.check.IpamChecker;
import dev.netctl.ipam.check.IpamReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code netctl ipam check}: cross-checks blocks, affinities, handles and nodes, prints a summary
 * with every problem, and optionally writes the JSON report that {@code ipam release --from-report}
 * repairs. Exits {@link ExitCode#PROBLEMS_FOUND} when anything is found, so it can gate a script or
 * a cron job.
 */
@Command(
    name = "check",
    description =
        "Check IPAM consistency; exit 8 when problems are found. -o FILE writes the JSON report"
            + " for `netctl ipam release --from-report FILE`.")
final class IpamCheckCommand implements Callable<Integer> {

  // --datastore is declared once on the root (INHERIT scope) and reached through the parents.
  @ParentCommand IpamCommand ipam;
  @Spec CommandSpec spec;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write the report as JSON to FILE.")
  Path output;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    IpamReport report =
        IpamSession.run(
            ipam.datastore(),
            StoreUse.EXISTING,
            s -> new IpamChecker(s.store()).check(s.liveNodes()));
    printSummary(report, out);
    if (output != null) {
      try {
        Files.writeString(output, IpamJson.write(report) + "\n", StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new CliException(
            ExitCode.ERROR, "ipam check -o " + output + ": cannot write the report: " + e);
      }
      out.println("Report written to " + output);
    }
    out.flush();
    return report.clean() ? ExitCode.OK : ExitCode.PROBLEMS_FOUND;
  }

  static void printSummary(IpamReport r, PrintWriter out) {
    out.println(
        "Checked "
            + r.blocks()
            + " block(s), "
            + r.affinities()
            + " affinity record(s), "
            + r.handles()
            + " handle(s); "
            + r.addressesInUse()
            + " address(es) in use.");
    if (r.clean()) {
      out.println("No problems found.");
      return;
    }
    out.println("Found " + r.problemCount() + " problem(s):");
    section(
        out,
        "allocations without a handle (leaked)",
        r.allocationsWithoutHandle(),
        l ->
            l.address()
                + " in block "
                + l.block()
                + " held by missing handle "
                + l.handle()
                + (l.node() == null ? "" : " on node " + l.node()));
    section(
        out,
        "handle counts that disagree with the blocks",
        r.handleMismatches(),
        h ->
            "handle "
                + h.handle()
                + (h.block().isEmpty() ? " holds nothing" : " in block " + h.block())
                + ": recorded "
                + h.recorded()
                + ", actual "
                + h.actual());
    section(
        out,
        "blocks of nodes that no longer exist",
        r.blocksOfDeadNodes(),
        d -> "block " + d.block() + " of node " + d.node() + " (" + d.inUse() + " in use)");
    section(
        out,
        "affinities and blocks that disagree",
        r.affinityMismatches(),
        m -> m.kind() + ": node " + m.node() + ", block " + m.block());
    section(
        out,
        "blocks with several owners",
        r.duplicateOwnership(),
        d -> "block " + d.block() + " claimed by " + String.join(", ", d.nodes()));
    section(
        out,
        "affinities stuck mid-protocol",
        r.pendingAffinities(),
        p -> p.state() + ": node " + p.node() + ", block " + p.block());
    section(
        out,
        "blocks with addresses in use outside every IP pool (left by repair: they are in use)",
        r.addressesOutsidePools(),
        o -> "block " + o.block() + ": " + String.join(", ", o.addresses()));
  }

  private static <T> void section(
      PrintWriter out, String title, List<T> items, Function<T, String> line) {
    out.println("  " + title + ": " + items.size());
    for (T item : items) out.println("    " + line.apply(item));
  }
}
