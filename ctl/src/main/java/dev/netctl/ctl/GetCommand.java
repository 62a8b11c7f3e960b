package dev.netctl.ctl;

import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.selector.Selector;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code netctl get KIND [NAME...]}: lists or shows resources. Names that do not exist are reported
 * one per line after the output of those that do, and the exit code is NOT_FOUND. An empty list
 * prints {@code No resources found.} on stderr and succeeds, as kubectl does.
 */
@Command(
    name = "get",
    description = {
      "Show resources of one kind: a table (default), wide table, yaml, json or names.",
      "Examples: netctl get ippools -o wide;  netctl get ippool p -o yaml;"
          + "  netctl get nodes -l 'rack == \"a\"';  netctl get wep NAME -n NAMESPACE;"
          + "  netctl get networkpolicies -A"
    })
final class GetCommand extends ResourceVerb {

  @Parameters(
      index = "0",
      paramLabel = "KIND",
      completionCandidates = Kinds.Candidates.class,
      description =
          "Resource kind, plural, singular or short name: ippools, bgppeers, bgpfilters,"
              + " bgpconfigurations, felixconfigurations, nodes, ipamconfigs, ipreservations,"
              + " workloadendpoints,"
              + " tiers, globalnetworkpolicies, networkpolicies, kubernetesnetworkpolicies"
              + " (netpol), profiles.")
  String kindName;

  @Parameters(index = "1..*", paramLabel = "NAME", description = "Names; all when omitted.")
  List<String> names = new ArrayList<>();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      completionCandidates = OutputFormat.Candidates.class,
      description = "table (default), wide, yaml, json or name.")
  String output = "table";

  @Option(
      names = {"-l", "--selector"},
      paramLabel = "SELECTOR",
      description = "Only objects whose labels match, e.g. 'zone == \"a\" && has(edge)'.")
  String selector;

  @Mixin NamespaceOptions namespaces;

  @Option(
      names = {"-A", "--all-namespaces"},
      description =
          "A namespaced kind across every namespace: a list shows them all, a NAME is looked up in"
              + " each. Tables then show a NAMESPACE column, as they do with -n.")
  boolean allNamespaces;

  // calicoctl takes -a as well (its docopt usage did; its cobra port keeps it as a hidden alias)
  @Option(names = "-a", hidden = true)
  boolean allNamespacesAlias;

  @Override
  public Integer call() {
    allNamespaces |= allNamespacesAlias;
    Kind<?> kind = Kinds.lookup(kindName);
    OutputFormat format = OutputFormat.parse(output, List.of(OutputFormat.values()));
    if (selector != null && !names.isEmpty()) {
      throw new CliException(ExitCode.USAGE, "give either NAMEs or -l SELECTOR, not both");
    }
    namespaces.check(kind, allNamespaces);
    // with -A a plain NAME is matched in every namespace, so it is not turned into a key
    List<String> keys =
        names.stream()
            .map(n -> allNamespaces && !n.contains("/") ? n : namespaces.storageName(kind, n))
            .toList();
    Selector sel = selector == null ? null : Selector.parse(selector);
    return withClient(
        StoreUse.EXISTING,
        client -> {
          List<Resource> found = new ArrayList<>();
          List<String> missing = new ArrayList<>();
          if (keys.isEmpty()) {
            for (Resource r : sel == null ? client.list(kind) : client.list(kind, sel)) {
              if (namespaces.shows(kind, r, allNamespaces)) found.add(r);
            }
          } else {
            List<? extends Resource> everywhere =
                keys.stream().anyMatch(n -> !n.contains("/")) && kind.namespaced()
                    ? client.list(kind)
                    : List.of();
            for (String n : keys) {
              boolean anyNamespace = kind.namespaced() && !n.contains("/"); // -A NAME
              List<? extends Resource> hits =
                  anyNamespace
                      ? everywhere.stream().filter(r -> r.name().equals(n)).toList()
                      : client.find(kind, n).stream().toList();
              if (hits.isEmpty()) {
                missing.add(
                    kind.name()
                        + " \""
                        + n
                        + "\" not found"
                        + (anyNamespace ? " in any namespace" : ""));
              }
              found.addAll(hits);
            }
          }
          if (found.isEmpty() && missing.isEmpty()) {
            if (format.isTextual() || format == OutputFormat.YAML) {
              // as kubectl says it: a list without -A shows one namespace only (since calicoctl's
              // namespace defaults), which an empty answer must not hide
              err()
                  .println(
                      kind.namespaced() && !allNamespaces
                          ? "No resources found in " + namespaces.namespace() + " namespace."
                          : "No resources found.");
            }
            if (format == OutputFormat.JSON) format.print(kind, found, out());
            return ExitCode.OK;
          }
          if (!found.isEmpty()) {
            if (kind == Kind.NODE && format == OutputFormat.WIDE) {
              long clusterAsn = client.effectiveBgpConfiguration().asNumber();
              format.print(kind, found, out(), (r, wide) -> nodeRow(r, wide, clusterAsn));
            } else {
              format.print(kind, found, out(), kind::row, namespaceColumn());
            }
          }
          if (!missing.isEmpty()) {
            throw new CliException(ExitCode.NOT_FOUND, String.join("\n", missing));
          }
          return ExitCode.OK;
        });
  }

  /**
   * Whether a table shows the NAMESPACE column: as calicoctl, when namespaces were asked about
   * ({@code -A}, {@code -n}); here also when a NAME says its namespace ({@code NS/NAME}), since
   * then the rows may come from namespaces other than the default.
   */
  private boolean namespaceColumn() {
    return allNamespaces
        || namespaces.namespace != null
        || names.stream().anyMatch(n -> n.contains("/"));
  }

  /**
   * A node's row, with the AS number a BGP node without its own inherits from the cluster's
   * BGPConfiguration shown in parentheses, as calicoctl does: {@code (64512)}.
   */
  static List<String> nodeRow(Resource r, boolean wide, long clusterAsn) {
    List<String> cells = new ArrayList<>(Kind.NODE.row(r, wide));
    int asn = Kind.NODE.headers(wide).indexOf("ASN");
    Node n = Kind.NODE.cast(r);
    if (asn >= 0 && n.spec().bgp() != null && n.spec().bgp().asNumber() == null) {
      cells.set(asn, "(" + clusterAsn + ")");
    }
    return cells;
  }
}
