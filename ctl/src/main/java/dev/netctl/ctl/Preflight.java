package dev.netctl.ctl;

import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.Validator;
import dev.netctl.datastore.model.Violation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a whole input before anything is written, so a file whose last document is invalid changes
 * nothing. Every violation is reported (not just the first), prefixed with the file it came from.
 */
final class Preflight {
  private Preflight() {}

  /**
   * The rules against the stored state as well as each object's own ({@link ResourceClient#check}):
   * pool overlaps with stored pools and with earlier objects of the input, immutable fields of
   * existing objects, duplicates within the input.
   *
   * @param replaceExisting true for apply/replace (existing objects are updated), false for create
   * @throws CliException INVALID listing every violation
   */
  static void againstStore(ResourceClient client, List<Manifest> input, boolean replaceExisting) {
    List<Resource> resources = input.stream().map(Manifest::resource).toList();
    throwIfAny(input, client.check(resources, replaceExisting));
  }

  /**
   * The rules that need no datastore: each object's own, duplicates within the input, and pools of
   * the input overlapping each other.
   */
  static List<Violation> stateless(List<Manifest> input) {
    List<Violation> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    List<Resource> earlierPools = new ArrayList<>();
    for (Manifest m : input) {
      Resource r = m.resource();
      if (r.name() != null && !seen.add(r.kind().name() + "/" + r.name())) {
        out.add(
            new Violation(
                r.kind().name(),
                r.name(),
                "metadata.name",
                r.name(),
                "must not appear twice in one input"));
        continue;
      }
      out.addAll(Validator.validate(r, null, earlierPools));
      if (r.kind() == Kind.IP_POOL) earlierPools.add(r);
    }
    return out;
  }

  /** Throws CliException INVALID, one line per violation prefixed with its source file. */
  static void throwIfAny(List<Manifest> input, List<Violation> violations) {
    if (violations.isEmpty()) return;
    throw new CliException(ExitCode.INVALID, describe(input, violations));
  }

  /** One line per violation, e.g. {@code pools.yaml: IPPool "p": spec.cidr "x" must be a CIDR}. */
  static String describe(List<Manifest> input, List<Violation> violations) {
    Map<String, String> sources = new HashMap<>();
    for (Manifest m : input) {
      sources.putIfAbsent(m.resource().kind().name() + "/" + m.resource().name(), m.source());
    }
    return violations.stream()
        .map(
            v -> {
              String src = sources.get(v.kind() + "/" + v.name());
              return (src == null ? "" : src + ": ") + v.message();
            })
        .collect(Collectors.joining("\n"));
  }
}
