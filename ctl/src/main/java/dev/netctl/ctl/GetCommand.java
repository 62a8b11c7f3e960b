package dev.netctl.ctl;

import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.selector.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code netctl get KIND [NAME...]}: lists or shows resources. Names that do not exist are reported
 * one per line after the output of those that do, and the exit code is NOT_FOUND. An empty list
 * prints {@code No resources found.} on stderr and succeeds, as kubectl does.
 */
@Command(
    name = "get",
    description = {
      "Show resources of one kind: a table (default), wide table, yaml, json or names.",
      "Examples: netctl get ippools -o wide;  netctl get ippool p -o yaml;"
          + "  netctl get nodes -l 'rack == \"a\"'"
    })
final class GetCommand extends ResourceVerb {

  @Parameters(
      index = "0",
      paramLabel = "KIND",
      completionCandidates = Kinds.Candidates.class,
      description = "Resource kind: ippool(s)/pool, bgppeer(s)/peer, bgpconfig, node, ipamconfig.")
  String kindName;

  @Parameters(index = "1..*", paramLabel = "NAME", description = "Names; all when omitted.")
  List<String> names = new ArrayList<>();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      completionCandidates = OutputFormat.Candidates.class,
      description = "table (default), wide, yaml, json or name.")
  String output = "table";

  @Option(
      names = {"-l", "--selector"},
      paramLabel = "SELECTOR",
      description = "Only objects whose labels match, e.g. 'zone == \"a\" && has(edge)'.")
  String selector;

  @Override
  public Integer call() {
    Kind<?> kind = Kinds.lookup(kindName);
    OutputFormat format = OutputFormat.parse(output, List.of(OutputFormat.values()));
    if (selector != null && !names.isEmpty()) {
      throw new CliException(ExitCode.USAGE, "give either NAMEs or -l SELECTOR, not both");
    }
    Selector sel = selector == null ? null : Selector.parse(selector);
    return withClient(
        client -> {
          List<Resource> found = new ArrayList<>();
          List<String> missing = new ArrayList<>();
          if (names.isEmpty()) {
            found.addAll(sel == null ? client.list(kind) : client.list(kind, sel));
          } else {
            for (String n : names) {
              Optional<? extends Resource> r = client.find(kind, n);
              if (r.isPresent()) {
                found.add(r.get());
              } else {
                missing.add(kind.name() + " \"" + n + "\" not found");
              }
            }
          }
          if (found.isEmpty() && missing.isEmpty()) {
            if (format.isTextual() || format == OutputFormat.YAML) {
              err().println("No resources found.");
            }
            if (format == OutputFormat.JSON) format.print(kind, found, out());
            return ExitCode.OK;
          }
          if (!found.isEmpty()) format.print(kind, found, out());
          if (!missing.isEmpty()) {
            throw new CliException(ExitCode.NOT_FOUND, String.join("\n", missing));
          }
          return ExitCode.OK;
        });
  }
}
