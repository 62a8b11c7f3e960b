package dev.netctl.ctl;

import dev.netctl.datastore.model.Resource;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code netctl convert -f FILE}: rewrites Calico {@code projectcalico.org/v3} manifests as {@code
 * netctl.dev/v1} (field names are the same; {@code IPAMConfiguration} becomes {@code IPAMConfig};
 * defaults are filled in). Server-assigned metadata (resourceVersion, uid, creationTimestamp) is
 * dropped: it belongs to the Calico datastore and would make {@code apply} fail with a conflict. No
 * datastore is contacted; use {@code validate} to check the result.
 */
@Command(
    name = "convert",
    description = {
      "Convert Calico projectcalico.org/v3 manifests to netctl.dev/v1 (no datastore needed).",
      "Example: calicoctl get ippools -o yaml | netctl convert -f - > pools.yaml"
    })
final class ConvertCommand extends ResourceVerb implements WithoutDatastore {

  @Mixin FileOptions input;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "yaml (default) or json.")
  String output = "yaml";

  @Override
  public Integer call() {
    OutputFormat format = OutputFormat.parse(output, List.of(OutputFormat.YAML, OutputFormat.JSON));
    // converting checks no rules, so a document that cannot be read is all it reports
    List<Manifest> manifests = input.read(root.stdin(), CODEC, null, false);
    List<Resource> converted =
        manifests.stream()
            .map(m -> m.resource().withMetadata(m.resource().metadata().withoutServerFields()))
            .toList();
    if (format == OutputFormat.YAML) {
      out().print(CODEC.toYaml(converted));
    } else {
      out().print(CODEC.toJson(converted));
    }
    out().flush();
    return ExitCode.OK;
  }
}
