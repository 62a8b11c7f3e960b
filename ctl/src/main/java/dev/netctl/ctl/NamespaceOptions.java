package dev.netctl.ctl;

import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Resource;
import picocli.CommandLine.Option;

/**
 * calicoctl's {@code -n/--namespace} and {@code -A/--all-namespaces} for the namespaced kinds
 * (WorkloadEndpoint, NetworkPolicy...). A NAME is looked up in {@code -n}'s namespace, else in
 * {@code default} as calicoctl does, unless it is written {@code NAMESPACE/NAME}. Cluster-scoped
 * kinds ignore both options, as kubectl and calicoctl do.
 */
final class NamespaceOptions {

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      description =
          "Namespace of a namespaced kind (workloadendpoint, networkpolicy...): names are looked"
              + " up there and a list shows only it. Names default to \"default\".")
  String namespace;

  @Option(
      names = {"-A", "--all-namespaces"},
      description =
          "List a namespaced kind across every namespace (also what a list without -n shows).")
  boolean allNamespaces;

  /** Refuses {@code -n} together with {@code -A}. */
  void check() {
    if (namespace != null && allNamespaces) {
      throw new CliException(ExitCode.USAGE, "give either -n NAMESPACE or -A, not both");
    }
    if (namespace != null && (namespace.isEmpty() || namespace.contains("/"))) {
      throw new CliException(
          ExitCode.USAGE, "-n \"" + namespace + "\" is not a namespace name (no '/', not empty)");
    }
  }

  /**
   * The name {@code name} of {@code kind} is stored under: {@code namespace/name} if namespaced.
   */
  String storageName(Kind<?> kind, String name) {
    if (!kind.namespaced()) return name;
    int slash = name.indexOf('/');
    if (slash < 0) return (namespace != null ? namespace : Kind.DEFAULT_NAMESPACE) + "/" + name;
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

  /**
   * Whether a listed object of {@code kind} is shown: all but other namespaces' under {@code -n}.
   */
  boolean shows(Kind<?> kind, Resource r) {
    return !kind.namespaced() || namespace == null || namespace.equals(r.metadata().namespace());
  }
}
