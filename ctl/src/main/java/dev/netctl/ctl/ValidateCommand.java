package dev.netctl.ctl;

import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.Violation;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code netctl validate -f FILE}: parses and checks manifests without a datastore. It applies
 * every rule an object must satisfy on its own plus the rules within the input (no duplicates, no
 * overlapping pools); rules against stored objects (overlap with a stored pool, immutable fields)
 * are left to create/apply, which check them before writing anything.
 */
@Command(
    name = "validate",
    description = {
      "Check manifests offline: prints '<ref> valid' per object, or each violation (exit 6).",
      "Stateless: no datastore is contacted and nothing is written, so overlaps with stored",
      "pools and changes to immutable fields are left to create/apply, which check them first.",
      "Example: netctl validate -f pools.yaml"
    })
final class ValidateCommand extends ResourceVerb implements WithoutDatastore {

  @Mixin FileOptions input;

  @Override
  public Integer call() {
    List<Manifest> manifests = input.read(root.stdin(), CODEC);
    List<Violation> violations = Preflight.stateless(manifests);
    Set<String> invalid = new HashSet<>();
    for (Violation v : violations) invalid.add(Preflight.ref(v));
    for (Manifest m : manifests) {
      Resource r = m.resource();
      if (!invalid.contains(Preflight.ref(r))) {
        out().println(Kinds.ref(r) + " valid");
      }
    }
    out().flush();
    Preflight.throwIfAny(manifests, violations);
    return ExitCode.OK;
  }
}
