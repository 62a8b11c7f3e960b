package dev.netctl.kube;

import dev.netctl.datastore.model.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which custom resource holds each datastore kind: one CRD per kind in the group {@value #GROUP},
 * version {@value #VERSION}; cluster-scoped, but for the namespaced kinds ({@link #namespaced}).
 *
 * <p>The user-facing kinds ({@link Kind#all()}) keep their own plurals ({@code ippools}...); the
 * stored-only kinds (IPAM's blocks, affinities and handles, the pool guard) are listed here; the
 * kinds derived from Kubernetes' own objects ({@link CoreKinds}) have no custom resource. A kind
 * nobody listed gets the lower-case English plural of its name, which is what a CRD for it would
 * have to declare: {@code CrdsTest} checks that every kind netctl stores has a generated CRD.
 */
public final class StoredKinds {
  /** The API group of every netctl CRD. */
  public static final String GROUP = "netctl.dev";

  /** The one served and stored version. */
  public static final String VERSION = "v1";

  /** {@code apiVersion} of netctl's custom resources. */
  public static final String API_VERSION = GROUP + "/" + VERSION;

  /** Kinds netctl stores that users do not edit as resources, with their plurals. */
  static final Map<String, String> INTERNAL =
      Map.of(
          "IPAMBlock", "ipamblocks",
          "BlockAffinity", "blockaffinities",
          "IPAMHandle", "ipamhandles",
          "IPPoolGuard", "ippoolguards",
          // the migration lock (datastore.migrate.ClusterInformation)
          "ClusterInformation", "clusterinformations");

  // No "Lease": on Kubernetes leader election uses coordination.k8s.io Leases (KubeLeaseStore).

  private StoredKinds() {}

  /**
   * Every kind netctl stores as custom resources: the user-facing kinds, then the stored-only ones,
   * sorted. Not the kinds derived from Kubernetes' own objects ({@link CoreKinds}:
   * WorkloadEndpoint, Profile, KubernetesNetworkPolicy), which nothing stores here, so they get no
   * CRD and no grant.
   */
  public static List<String> all() {
    List<String> out = new ArrayList<>();
    for (Kind<?> k : Kind.all()) {
      if (CoreKinds.source(k.storageKind()).isEmpty()) out.add(k.storageKind());
    }
    out.addAll(INTERNAL.keySet().stream().sorted().toList());
    return out;
  }

  /** The plural (the URL segment and the CRD's {@code spec.names.plural}) of a stored kind. */
  public static String plural(String kind) {
    Optional<Kind<?>> resource = resourceKind(kind);
    if (resource.isPresent()) return resource.get().plural();
    String internal = INTERNAL.get(kind);
    if (internal != null) return internal;
    String lower = kind.toLowerCase(Locale.ROOT);
    if (lower.endsWith("y")) return lower.substring(0, lower.length() - 1) + "ies";
    if (lower.endsWith("s") || lower.endsWith("x")) return lower + "es";
    return lower + "s";
  }

  /**
   * The user-facing kind stored under {@code storageKind}, if it is one: its values are whole
   * resources ({@code apiVersion}, {@code kind}, {@code metadata}, {@code spec}), and its custom
   * resource is that resource.
   */
  public static Optional<Kind<?>> resourceKind(String storageKind) {
    for (Kind<?> k : Kind.all()) {
      if (k.storageKind().equals(storageKind)) return Optional.of(k);
    }
    return Optional.empty();
  }

  /**
   * Whether the custom resources of a stored kind are namespaced (Calico's NetworkPolicy): their
   * key names are {@code <namespace>/<name>} and each lives in its namespace ({@link CrdObject}).
   */
  public static boolean namespaced(String kind) {
    return resourceKind(kind).map(Kind::namespaced).orElse(false);
  }

  /**
   * The collection path of a kind on the API server across all namespaces, e.g. {@code
   * /apis/netctl.dev/v1/ippools}: what lists and watches read.
   */
  public static String path(String kind) {
    return "/apis/" + GROUP + "/" + VERSION + "/" + plural(kind);
  }
}
