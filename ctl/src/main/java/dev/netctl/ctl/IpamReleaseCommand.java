package dev.netctl.ctl;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netctl.ipam.allocator.ReleaseRequest;
import dev.netctl.ipam.allocator.ReleaseResult;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.check.IpamRepair;
import dev.netctl.ipam.check.IpamReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code netctl ipam release}: frees addresses by address, by handle, or everything an {@code ipam
 * check} report lists. Addresses are validated all together first: one bad address releases none.
 */
@Command(
    name = "release",
    description =
        "Release addresses: given IPs, every IP of a handle, or what a check report lists.")
final class IpamReleaseCommand implements Callable<Integer> {

  /** Exactly one way of naming what to release. */
  static final class What {
    @Option(
        names = "--ip",
        paramLabel = "IP",
        arity = "1..*",
        description = "Release these addresses (repeatable).")
    List<String> ips;

    @Option(names = "--handle", paramLabel = "HANDLE", description = "Release every IP of HANDLE.")
    String handle;

    @Option(
        names = "--from-report",
        paramLabel = "FILE",
        description = "Fix what a report of `netctl ipam check -o FILE` lists (re-validated).")
    Path report;
  }

  // --datastore is declared once on the root (INHERIT scope) and reached through the parents.
  @ParentCommand IpamCommand ipam;
  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  What what;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (what.ips != null) {
      List<ReleaseRequest> requests = new ArrayList<>();
      for (String text : new LinkedHashSet<>(what.ips)) {
        requests.add(ReleaseRequest.of(IpamSession.address("--ip", text)));
      }
      ReleaseResult r =
          IpamSession.run(
              ipam.datastore(), StoreUse.EXISTING, s -> s.allocator().releaseIps(requests));
      for (InetAddress a : r.released()) out.println("released " + Cidr.format(a));
      for (InetAddress a : r.stale()) {
        out.println("skipped " + Cidr.format(a) + ": re-allocated since");
      }
    } else if (what.handle != null) {
      int n =
          IpamSession.run(
              ipam.datastore(), StoreUse.EXISTING, s -> s.allocator().releaseByHandle(what.handle));
      out.println("released " + n + " address(es) of handle " + what.handle);
    } else {
      IpamReport report = readReport(what.report);
      IpamRepair.Result r =
          IpamSession.run(
              ipam.datastore(),
              StoreUse.EXISTING,
              s -> new IpamRepair(s.store()).releaseFromReport(report, s.liveNodes()));
      for (String line : r.fixed()) out.println("fixed " + line);
      for (String line : r.skipped()) out.println("skipped " + line + ": no longer holds");
      for (IpamReport.OutsidePools o : report.addressesOutsidePools()) {
        out.println(
            "left block "
                + o.block()
                + ": "
                + o.addresses().size()
                + " address(es) in use outside every IP pool");
      }
      out.println(
          "repaired " + r.fixed().size() + " item(s), skipped " + r.skipped().size() + " item(s)");
    }
    out.flush();
    return ExitCode.OK;
  }

  static IpamReport readReport(Path file) {
    try {
      JsonNode tree = IpamJson.MAPPER.readTree(file.toFile());
      // Reports written before addresses outside pools were checked lack the field (IpamReport).
      if (tree instanceof ObjectNode o && !o.has("addressesOutsidePools")) {
        o.putArray("addressesOutsidePools");
      }
      return IpamJson.MAPPER
          .readerFor(IpamReport.class)
          .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .readValue(tree);
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCode.NOT_FOUND, "--from-report " + file + ": no such file");
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().get();
      if (!Files.exists(file)) {
        throw new CliException(ExitCode.NOT_FOUND, "--from-report " + file + ": no such file");
      }
      throw new CliException(
          ExitCode.INVALID, "--from-report " + file + " is not an ipam check report: " + why);
    }
  }
}
