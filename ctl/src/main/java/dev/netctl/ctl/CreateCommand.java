package dev.netctl.ctl;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code netctl create -f FILE}: creates every object of the input, or none.
 *
 * <p>All-or-nothing: the whole input is parsed and validated (against the stored state too), then
 * every object is looked up; if any already exists the command names each one and writes nothing.
 * Only then are the objects created, in input order. (The datastore has no multi-key transaction: a
 * concurrent writer between the check and the writes can still make a later create fail; the
 * objects before it stay created and the error names the one that failed.)
 */
@Command(
    name = "create",
    description = {
      "Create resources from manifests; fails if any already exists (nothing is written then).",
      "Example: netctl create -f pool.yaml"
    })
final class CreateCommand extends ResourceVerb {

  @Mixin FileOptions input;

  @Override
  public Integer call() {
    List<Manifest> manifests = input.read(root.stdin(), CODEC);
    return withClient(
        client -> {
          Preflight.againstStore(client, manifests, false);
          requirePresence(client, manifests, false, "nothing was created");
          // printed one by one so a failure half-way leaves a truthful record of what was made
          for (Manifest m : manifests) {
            out().println(Kinds.ref(client.create(m.resource())) + " created");
            out().flush();
          }
          return ExitCode.OK;
        });
  }
}
