package dev.netctl.ctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.netctl.datastore.model.CodecException;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Resource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code netctl patch KIND NAME -p JSON}: a JSON merge patch (RFC 7386) applied to the object as
 * {@code get -o json} shows it, then validated and written like an update. The write is a
 * compare-and-swap against the revision read, so a concurrent change fails with CONFLICT instead of
 * being overwritten.
 */
@Command(
    name = "patch",
    description = {
      "Change fields of a resource with a JSON merge patch (RFC 7386); null removes a field.",
      "Example: netctl patch ippool p -p '{\"spec\":{\"natOutgoing\":true}}';"
          + "  netctl patch networkpolicy NAME -n NAMESPACE -p '{\"spec\":{\"order\":10}}'"
    })
final class PatchCommand extends ResourceVerb {

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  @Parameters(
      index = "0",
      paramLabel = "KIND",
      completionCandidates = Kinds.Candidates.class,
      description = "Resource kind.")
  String kindName;

  @Parameters(index = "1", paramLabel = "NAME", description = "Resource name.")
  String name;

  @Option(
      names = {"-p", "--patch"},
      required = true,
      paramLabel = "JSON",
      description = "The merge patch, e.g. '{\"spec\":{\"disabled\":true}}'.")
  String patch;

  @Option(
      names = "--type",
      paramLabel = "TYPE",
      description = "Patch type; only merge (the default) is supported.")
  String type = "merge";

  @Mixin NamespaceOptions namespaces;

  @Override
  public Integer call() {
    Kind<?> kind = Kinds.lookup(kindName);
    namespaces.check(kind, false);
    String key = namespaces.storageName(kind, name);
    if (!type.equals("merge")) {
      throw new CliException(
          ExitCode.USAGE, "--type " + type + " is not supported; only merge (RFC 7386)");
    }
    JsonNode patchTree = parsePatch();
    return withClient(
        StoreUse.EXISTING,
        client -> {
          Resource current = client.get(kind, key);
          JsonNode before = CODEC.toTree(current);
          JsonNode patched = MergePatch.apply(before, patchTree);
          // Before decoding: another kind's fields would be refused as unknown, hiding the cause.
          if (!patched.path("kind").equals(before.path("kind"))) {
            throw new CliException(
                ExitCode.INVALID,
                identityChanged(
                    kind,
                    key,
                    patched.path("kind").isTextual()
                        ? "kind \"" + patched.path("kind").asText() + "\""
                        : "kind <none>"));
          }
          Resource candidate = decode(kind, patched);
          if (candidate.kind() != kind || !key.equals(candidate.storageName())) {
            throw new CliException(
                ExitCode.INVALID,
                identityChanged(
                    kind, key, "got " + candidate.kind() + " \"" + candidate.storageName() + "\""));
          }
          if (candidate.equals(current)) {
            out().println(Kinds.ref(current) + " patched (no change)");
            return ExitCode.OK;
          }
          Resource updated = client.update(candidate);
          out().println(Kinds.ref(updated) + " patched");
          return ExitCode.OK;
        });
  }

  private static String identityChanged(Kind<?> kind, String key, String got) {
    return kind.name()
        + " \""
        + key
        + "\": the patch must not change kind, metadata.name or metadata.namespace ("
        + got
        + ")";
  }

  /**
   * The patched object as a resource. It is decoded alone, so the codec's own location would be
   * "patch: document 1", a document the user never wrote: name the resource instead.
   */
  private Resource decode(Kind<?> kind, JsonNode patched) {
    try {
      return CODEC.read(JSON.writeValueAsString(patched), null).getFirst();
    } catch (CodecException e) {
      throw new CodecException(
          kind.name() + " \"" + namespaces.storageName(kind, name) + "\" (patched)",
          e.field(),
          e.problem(),
          e);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode parsePatch() {
    JsonNode tree;
    try {
      tree = JSON.readTree(patch);
    } catch (JsonProcessingException e) {
      throw new CliException(
          ExitCode.INVALID,
          "patch \""
              + patch
              + "\" is not valid JSON: "
              + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
    if (tree == null || !tree.isObject()) {
      throw new CliException(
          ExitCode.INVALID, "patch \"" + patch + "\" must be a JSON object such as {\"spec\":{}}");
    }
    return tree;
  }
}
