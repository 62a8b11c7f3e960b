package dev.netctl.ctl;

import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/**
 * calicoctl's {@code -n/--namespace} for the namespaced kinds (WorkloadEndpoint, NetworkPolicy,
 * KubernetesNetworkPolicy), as its get, delete, patch, label, create, apply and replace take it: a
 * NAME (or a manifest's object that names no namespace) is in {@code -n}'s namespace, else in
 * {@code default}; {@code NAMESPACE/NAME} names the namespace itself. A cluster-scoped kind refuses
 * {@code -n}, as calicoctl's does ("IPPool is not namespaced"). {@code get}'s {@code -A} is its own
 * option: calicoctl's delete has none.
 */
final class NamespaceOptions {

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      description =
          "Namespace of a namespaced kind (workloadendpoint, networkpolicy, netpol): names, and"
              + " objects of manifests that name none, are in it. Default: \"default\".")
  String namespace;

  /** The namespace names and lists of a namespaced kind mean: {@code -n}'s, else default. */
  String namespace() {
    return namespace != null ? namespace : Kind.DEFAULT_NAMESPACE;
  }

  /**
   * Refuses a malformed {@code -n}, {@code -n} together with {@code -A}, and either for a
   * cluster-scoped kind.
   */
  void check(Kind<?> kind, boolean allNamespaces) {
    if (namespace != null && allNamespaces) {
      throw new CliException(ExitCode.USAGE, "give either -n NAMESPACE or -A, not both");
    }
    checkName();
    if (!kind.namespaced() && (namespace != null || allNamespaces)) {
      throw new CliException(
          ExitCode.USAGE,
          kind.name()
              + " is not namespaced: "
              + (allNamespaces ? "-A/--all-namespaces" : "-n/--namespace")
              + " applies to the namespaced kinds ("
              + namespacedKinds()
              + ")");
    }
  }

  private void checkName() {
    if (namespace != null && !ObjectMeta.isNamespaceName(namespace)) {
      throw new CliException(ExitCode.USAGE, "-n \"" + namespace + "\": " + NAMESPACE_RULE);
    }
  }

  /** What a namespace name must be, as a manifest's {@code metadata.namespace} is told. */
  private static final String NAMESPACE_RULE =
      "a namespace must be a lower-case DNS-1123 label (a-z, 0-9, '-'; at most 63)";

  /**
   * Reads manifests with objects of namespaced kinds that name no namespace put in {@code -n}'s
   * (else in {@code default}), and refuses the whole input when {@code -n} is given with an object
   * of a cluster-scoped kind or one naming another namespace, as calicoctl does per object.
   */
  List<Manifest> read(FileOptions input, java.io.InputStream stdin) {
    return read(input, stdin, true);
  }

  /**
   * As {@link #read(FileOptions, java.io.InputStream)}; {@code validate} false for a verb that
   * needs only each object's kind and name (delete), whose failure to read a document then names
   * only the documents that cannot be read.
   */
  List<Manifest> read(FileOptions input, java.io.InputStream stdin, boolean validate) {
    checkName();
    List<Manifest> manifests = input.read(stdin, ResourceVerb.CODEC, namespace, validate);
    if (namespace == null) return manifests;
    List<String> refused = new ArrayList<>();
    for (Manifest m : manifests) {
      Resource r = m.resource();
      String what = m.source() + ": " + r.kind().name() + " \"" + Violation.nameOf(r) + "\"";
      if (!r.kind().namespaced()) {
        refused.add(
            what + ": " + r.kind().name() + " is not namespaced, but -n \"" + namespace + "\"");
      } else if (!namespace.equals(r.metadata().namespace())) {
        refused.add(
            what
                + ": metadata.namespace \""
                + r.metadata().namespace()
                + "\" does not match -n \""
                + namespace
                + "\"");
      }
    }
    if (!refused.isEmpty()) throw new CliException(ExitCode.USAGE, String.join("\n", refused));
    return manifests;
  }

  /**
   * The name {@code name} of {@code kind} is stored under: {@code namespace/name} if namespaced.
   */
  String storageName(Kind<?> kind, String name) {
    if (!kind.namespaced()) return name;
    int slash = name.indexOf('/');
    if (slash < 0) return namespace() + "/" + name;
    // A malformed NS/NAME would only be "not found": say what is wrong with it instead.
    String ns = name.substring(0, slash);
    String rest = name.substring(slash + 1);
    if (!ObjectMeta.isNamespaceName(ns) || rest.isEmpty() || rest.contains("/")) {
      throw new CliException(
          ExitCode.USAGE,
          kind.name()
              + " \""
              + name
              + "\": a name is NAME or NAMESPACE/NAME with one '/', and "
              + NAMESPACE_RULE);
    }
    if (namespace != null && !name.substring(0, slash).equals(namespace)) {
      throw new CliException(
          ExitCode.USAGE,
          kind.name()
              + " \""
              + name
              + "\" names namespace \""
              + name.substring(0, slash)
              + "\" but -n says \""
              + namespace
              + "\"");
    }
    return name;
  }

  /** Whether a listed object of {@code kind} is shown: only {@link #namespace()}'s, unless all. */
  boolean shows(Kind<?> kind, Resource r, boolean allNamespaces) {
    return !kind.namespaced() || allNamespaces || namespace().equals(r.metadata().namespace());
  }

  private static String namespacedKinds() {
    return Kind.all().stream()
        .filter(Kind::namespaced)
        .map(Kind::name)
        .collect(Collectors.joining(", "));
  }
}
