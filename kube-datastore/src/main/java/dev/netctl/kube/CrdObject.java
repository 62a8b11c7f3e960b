package dev.netctl.kube;

import dev.netctl.datastore.Key;
import java.util.regex.Pattern;

/**
 * Where a key's custom resource lives: its namespace (for a namespaced kind, whose key names are
 * {@code <namespace>/<name>}) and its object name ({@link ObjectNames}). A cluster-scoped kind's
 * whole key name is the object name; a namespaced kind's custom resource is in that namespace, as
 * Calico's NetworkPolicy is, so {@code kubectl get -n NS} and a namespace's RoleBinding cover it.
 *
 * @param namespace the namespace, or null for a cluster-scoped kind
 * @param name the key's name within it (not yet encoded)
 */
record CrdObject(String namespace, String name) {
  // what the API server accepts as a namespace name: a DNS-1123 label
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /**
   * The custom resource of {@code key}.
   *
   * @throws IllegalArgumentException when a namespaced kind's key name is not {@code
   *     <namespace>/<name>} with a namespace Kubernetes accepts
   */
  static CrdObject of(Key key) {
    if (!StoredKinds.namespaced(key.kind())) return new CrdObject(null, key.name());
    int slash = key.name().indexOf('/');
    String ns = slash < 0 ? "" : key.name().substring(0, slash);
    if (!NAMESPACE.matcher(ns).matches() || slash == key.name().length() - 1) {
      throw new IllegalArgumentException(
          key.kind()
              + " \""
              + key.name()
              + "\": a "
              + key.kind()
              + " key must be <namespace>/<name> with a namespace that is a lower-case DNS-1123"
              + " label: its custom resource lives in that namespace");
    }
    return new CrdObject(ns, key.name().substring(slash + 1));
  }

  /**
   * The key name a custom resource of {@code kind} holds: {@code <namespace>/<name>} for a
   * namespaced kind.
   */
  static String keyName(String kind, String namespace, String objectName) {
    String name = ObjectNames.decode(objectName);
    return StoredKinds.namespaced(kind) ? namespace + "/" + name : name;
  }

  /** The encoded object name. */
  String objectName() {
    return ObjectNames.encode(name);
  }

  /** The collection this object is created in: its namespace's, or the cluster's. */
  String collectionPath(String kind) {
    return namespace == null
        ? StoredKinds.path(kind)
        : "/apis/"
            + StoredKinds.GROUP
            + "/"
            + StoredKinds.VERSION
            + "/namespaces/"
            + namespace
            + "/"
            + StoredKinds.plural(kind);
  }

  /** The object's own path. */
  String path(String kind) {
    return collectionPath(kind) + "/" + objectName();
  }
}
