package dev.netctl.ctl;

import dev.netctl.datastore.model.Resource;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code netctl create -f FILE}: creates every object of the input, or none.
 *
 * <p>All-or-nothing: the whole input is parsed and validated (against the stored state too), then
 * every object is looked up; if any already exists the command names each one and writes nothing.
 * Only then are the objects created, in one atomic commit: a concurrent writer between the check
 * and the commit makes the whole create fail (naming the object) with nothing written.
 */
@Command(
    name = "create",
    description = {
      "Create resources from manifests; fails if any already exists (nothing is written then).",
      "Example: netctl create -f pool.yaml"
    })
final class CreateCommand extends ResourceVerb {

  @Mixin FileOptions input;

  @Mixin NamespaceOptions namespaces;

  @Override
  public Integer call() {
    List<Manifest> manifests = namespaces.read(input, root.stdin());
    return withClient(
        StoreUse.CREATE,
        client -> {
          Preflight.againstStore(client, manifests, false);
          requirePresence(client, manifests, false, "nothing was created");
          List<Resource> resources = manifests.stream().map(Manifest::resource).toList();
          for (Resource r : client.createAll(resources)) {
            out().println(Kinds.ref(r) + " created");
          }
          return ExitCode.OK;
        });
  }
}
