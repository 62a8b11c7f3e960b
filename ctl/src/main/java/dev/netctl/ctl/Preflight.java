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
      // by NAMESPACE/NAME: one policy name in two namespaces is two objects, not a duplicate
      if (r.name() != null && !seen.add(ref(r))) {
        out.add(
            new Violation(
                r.kind().name(),
                Violation.nameOf(r),
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

  /**
   * What a violation of {@code r} is filed under: its kind and the name violations give it ({@link
   * Violation#nameOf}, {@code NAMESPACE/NAME} for a namespaced kind).
   */
  static String ref(Resource r) {
    return r.kind().name() + "/" + Violation.nameOf(r);
  }

  /** What {@code v} is filed under, as {@link #ref(Resource)} files its resource. */
  static String ref(Violation v) {
    return v.kind() + "/" + v.name();
  }

  /** One line per violation, e.g. {@code pools.yaml: IPPool "p": spec.cidr "x" must be a CIDR}. */
  static String describe(List<Manifest> input, List<Violation> violations) {
    Map<String, String> sources = new HashMap<>();
    for (Manifest m : input) {
      sources.putIfAbsent(ref(m.resource()), m.source());
    }
    return violations.stream()
        .map(
            v -> {
              String src = sources.get(ref(v));
              return (src == null ? "" : src + ": ") + v.message();
            })
        .collect(Collectors.joining("\n"));
  }
}
