package dev.netctl.ctl;

import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.model.Resource;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code netctl replace -f FILE}: overwrites existing objects. Every object must exist (else
 * NOT_FOUND, nothing written). With {@code metadata.resourceVersion} the write is a
 * compare-and-swap: if the object changed since that revision the command fails with CONFLICT.
 */
@Command(
    name = "replace",
    description = {
      "Replace existing resources; honours metadata.resourceVersion (stale -> exit 5, CONFLICT).",
      "Example: netctl replace -f pool.yaml"
    })
final class ReplaceCommand extends ResourceVerb {

  @Mixin FileOptions input;

  @Override
  public Integer call() {
    List<Manifest> manifests = input.read(root.stdin(), CODEC);
    return withClient(
        client -> {
          Preflight.againstStore(client, manifests, true);
          List<String> missing = new ArrayList<>();
          for (Manifest m : manifests) {
            Resource r = m.resource();
            if (client.find(r.kind(), r.name()).isEmpty()) {
              Key key = new Key(r.kind().storageKind(), r.name());
              missing.add(new DatastoreException.NotFound(key).getMessage());
            }
          }
          if (!missing.isEmpty()) {
            missing.add("nothing was replaced");
            throw new CliException(ExitCode.NOT_FOUND, String.join("\n", missing));
          }
          for (Manifest m : manifests) {
            Resource updated = client.update(m.resource());
            out().println(Kinds.ref(updated) + " replaced");
            out().flush();
          }
          return ExitCode.OK;
        });
  }
}
