package dev.netctl.ctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netctl.datastore.model.JsonErrors;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    JsonNode tree;
    try {
      tree = IpamJson.MAPPER.readTree(file.toFile());
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCode.NOT_FOUND, "--from-report " + file + ": no such file");
    } catch (JsonProcessingException e) {
      throw notAReport(
          file,
          "not JSON at line "
              + e.getLocation().getLineNr()
              + " column "
              + e.getLocation().getColumnNr()
              + " ("
              + JsonErrors.firstLine(e.getOriginalMessage())
              + ")");
    } catch (IOException e) {
      if (!Files.exists(file)) {
        throw new CliException(ExitCode.NOT_FOUND, "--from-report " + file + ": no such file");
      }
      throw new CliException(
          ExitCode.INVALID, "--from-report " + file + ": cannot be read: " + e.getMessage());
    }
    if (tree == null || !tree.isObject()) {
      throw notAReport(file, "it must be a JSON object, as `netctl ipam check -o FILE` writes");
    }
    // Reports written before addresses outside pools were checked lack the field (IpamReport).
    if (!tree.has("addressesOutsidePools")) {
      ((ObjectNode) tree).putArray("addressesOutsidePools");
    }
    try {
      return IpamJson.MAPPER
          .readerFor(IpamReport.class)
          .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .with(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
          .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .readValue(tree);
    } catch (JsonMappingException e) {
      throw notAReport(file, problem(e));
    } catch (IOException e) {
      throw notAReport(file, JsonErrors.firstLine(e.getMessage()));
    }
  }

  private static CliException notAReport(Path file, String why) {
    return new CliException(
        ExitCode.INVALID, "--from-report " + file + " is not an ipam check report: " + why);
  }

  private static final Pattern CREATOR_PROPERTY =
      Pattern.compile("(Missing|Null value for) creator property '([^']+)'");

  /** The field and the rule a report broke, in the report's terms rather than Jackson's types. */
  private static String problem(JsonMappingException e) {
    String at = JsonErrors.path(e);
    if (e instanceof UnrecognizedPropertyException) {
      return "field " + at + " is not a field of an ipam check report";
    }
    if (e instanceof InvalidFormatException f) {
      return "field "
          + at
          + " \""
          + f.getValue()
          + "\" must be "
          + JsonErrors.describe(f.getTargetType());
    }
    Matcher m = CREATOR_PROPERTY.matcher(String.valueOf(e.getOriginalMessage()));
    if (m.find()) {
      // Jackson's path ends at the property for some of these and at its object for others
      String field =
          at.equals(m.group(2)) || at.endsWith("." + m.group(2))
              ? at
              : at.isEmpty() ? m.group(2) : at + "." + m.group(2);
      return "field "
          + field
          + (m.group(1).equals("Missing") ? " is required" : " must not be null");
    }
    if (e instanceof MismatchedInputException mi && mi.getTargetType() != null) {
      return "field " + at + " must be " + JsonErrors.describe(mi.getTargetType());
    }
    return (at.isEmpty() ? "" : "field " + at + " is invalid: ")
        + JsonErrors.firstLine(e.getOriginalMessage());
  }
}
