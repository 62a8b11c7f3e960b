package dev.netctl.ctl;

import dev.netctl.datastore.model.Resource;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code netctl replace -f FILE}: overwrites existing objects in one atomic commit. Every object
 * must exist (else NOT_FOUND, nothing written). With {@code metadata.resourceVersion} the write is
 * a compare-and-swap: if the object changed since that revision the command fails with CONFLICT.
 */
@Command(
    name = "replace",
    description = {
      "Replace existing resources; honours metadata.resourceVersion (stale -> exit 5, CONFLICT).",
      "Example: netctl replace -f pool.yaml"
    })
final class ReplaceCommand extends ResourceVerb {

  @Mixin FileOptions input;

  @Mixin NamespaceOptions namespaces;

  @Override
  public Integer call() {
    List<Manifest> manifests = namespaces.read(input, root.stdin());
    return withClient(
        StoreUse.EXISTING,
        client -> {
          Preflight.againstStore(client, manifests, true);
          requirePresence(client, manifests, true, "nothing was replaced");
          // One atomic commit, as apply's: a stale resourceVersion on the third object used to
          // fail the command after the first two were replaced.
          List<Resource> resources = manifests.stream().map(Manifest::resource).toList();
          for (Resource updated : client.replaceAll(resources)) {
            out().println(Kinds.ref(updated) + " replaced");
          }
          return ExitCode.OK;
        });
  }
}
