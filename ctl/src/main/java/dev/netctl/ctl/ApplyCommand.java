package dev.netctl.ctl;

import dev.netctl.datastore.client.Applied;
import dev.netctl.datastore.model.Resource;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code netctl apply -f FILE}: creates what is missing, replaces what differs, leaves the rest.
 * Output is kubectl's: {@code ippool.netctl.dev/p created|configured|unchanged}. The whole input is
 * validated, then written in one atomic commit (all or nothing). A manifest carrying {@code
 * metadata.resourceVersion} (as {@code get -o yaml} prints it) is applied only if the object is
 * still at that revision (else CONFLICT).
 */
@Command(
    name = "apply",
    description = {
      "Create or update resources from manifests; unchanged objects are not written.",
      "Example: netctl get ippool p -o yaml | netctl apply -f -"
    })
final class ApplyCommand extends ResourceVerb {

  @Mixin FileOptions input;

  @Mixin NamespaceOptions namespaces;

  @Override
  public Integer call() {
    List<Manifest> manifests = namespaces.read(input, root.stdin());
    return withClient(
        StoreUse.CREATE,
        client -> {
          Preflight.againstStore(client, manifests, true);
          // One atomic commit: a concurrent change or an outage leaves the store as it was.
          List<Resource> resources = manifests.stream().map(Manifest::resource).toList();
          for (Applied<Resource> a : client.applyAll(resources)) {
            out().println(Kinds.ref(a.resource()) + " " + a.outcome().verb());
          }
          return ExitCode.OK;
        });
  }
}
