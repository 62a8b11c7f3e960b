package dev.netctl.ctl;

import dev.netctl.datastore.client.Applied;
import dev.netctl.datastore.model.Resource;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code netctl apply -f FILE}: creates what is missing, replaces what differs, leaves the rest.
 * Output is kubectl's: {@code ippool.netctl.dev/p created|configured|unchanged}. The whole input is
 * validated before the first write. A manifest carrying {@code metadata.resourceVersion} (as {@code
 * get -o yaml} prints it) is applied only if the object is still at that revision (else CONFLICT).
 */
@Command(
    name = "apply",
    description = {
      "Create or update resources from manifests; unchanged objects are not written.",
      "Example: netctl get ippool p -o yaml | netctl apply -f -"
    })
final class ApplyCommand extends ResourceVerb {

  @Mixin FileOptions input;

  @Override
  public Integer call() {
    List<Manifest> manifests = input.read(root.stdin(), CODEC);
    return withClient(
        client -> {
          Preflight.againstStore(client, manifests, true);
          // One object at a time, printing each as it lands: if a later write fails (a concurrent
          // change, an outage) the output still says truthfully which objects were applied.
          for (Manifest m : manifests) {
            Applied<? extends Resource> a = client.apply(m.resource());
            out().println(Kinds.ref(a.resource()) + " " + a.outcome().verb());
            out().flush();
          }
          return ExitCode.OK;
        });
  }
}
