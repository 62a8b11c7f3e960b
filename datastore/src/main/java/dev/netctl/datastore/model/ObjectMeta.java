package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The metadata every resource carries, with Kubernetes/Calico field names.
 *
 * <p>{@code resourceVersion}, {@code uid} and {@code creationTimestamp} are assigned by the
 * resource client on write; a caller leaves them null when creating. Labels and annotations are
 * kept sorted by key (as Calico prints them) and are never null.
 *
 * @param name the object's name, a DNS-1123 subdomain
 * @param namespace the Kubernetes namespace of a namespaced kind (WorkloadEndpoint, NetworkPolicy),
 *     null for cluster-scoped kinds
 * @param labels label key to value, used by selectors
 * @param annotations free-form key to value
 * @param resourceVersion the datastore revision of the stored object, as a decimal string
 * @param uid a random identifier assigned on create and kept across updates
 * @param creationTimestamp RFC 3339 UTC time of the create, e.g. {@code 2026-01-02T03:04:05Z}
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({
  "name",
  "namespace",
  "labels",
  "annotations",
  "resourceVersion",
  "uid",
  "creationTimestamp"
})
public record ObjectMeta(
    String name,
    String namespace,
    Map<String, String> labels,
    Map<String, String> annotations,
    String resourceVersion,
    String uid,
    String creationTimestamp) {

  public ObjectMeta {
    labels = sortedCopy(labels);
    annotations = sortedCopy(annotations);
  }

  /** Cluster-scoped metadata: no namespace. */
  public ObjectMeta(
      String name,
      Map<String, String> labels,
      Map<String, String> annotations,
      String resourceVersion,
      String uid,
      String creationTimestamp) {
    this(name, null, labels, annotations, resourceVersion, uid, creationTimestamp);
  }

  /** Metadata with only a name. */
  public static ObjectMeta named(String name) {
    return new ObjectMeta(name, null, null, null, null, null);
  }

  /**
   * Whether {@code ns} can name a Kubernetes namespace: a lower-case DNS-1123 label (at most 63
   * characters). One rule for manifests' {@code metadata.namespace} and the CLI's {@code -n}.
   */
  public static boolean isNamespaceName(String ns) {
    return ns != null && ns.length() <= 63 && Validator.DNS_LABEL.matcher(ns).matches();
  }

  /** Metadata of a namespaced object. */
  public static ObjectMeta namespaced(String namespace, String name, Map<String, String> labels) {
    return new ObjectMeta(name, namespace, labels, null, null, null, null);
  }

  /** A copy in another namespace. */
  public ObjectMeta withNamespace(String newNamespace) {
    return new ObjectMeta(
        name, newNamespace, labels, annotations, resourceVersion, uid, creationTimestamp);
  }

  /** Metadata with a name and labels. */
  public static ObjectMeta named(String name, Map<String, String> labels) {
    return new ObjectMeta(name, labels, null, null, null, null);
  }

  /** A copy with other labels. */
  public ObjectMeta withLabels(Map<String, String> newLabels) {
    return new ObjectMeta(
        name, namespace, newLabels, annotations, resourceVersion, uid, creationTimestamp);
  }

  /** A copy with another resource version (null to clear it). */
  /** This metadata with other annotations. */
  public ObjectMeta withAnnotations(Map<String, String> newAnnotations) {
    return new ObjectMeta(
        name, namespace, labels, newAnnotations, resourceVersion, uid, creationTimestamp);
  }

  public ObjectMeta withResourceVersion(String newResourceVersion) {
    return new ObjectMeta(
        name, namespace, labels, annotations, newResourceVersion, uid, creationTimestamp);
  }

  /** A copy with the identity fields the server assigns (uid and creation time). */
  public ObjectMeta withIdentity(String newUid, String newCreationTimestamp) {
    return new ObjectMeta(
        name, namespace, labels, annotations, resourceVersion, newUid, newCreationTimestamp);
  }

  /** A copy without the fields the server assigns: what a user's manifest would hold. */
  public ObjectMeta withoutServerFields() {
    return new ObjectMeta(name, namespace, labels, annotations, null, null, null);
  }

  private static Map<String, String> sortedCopy(Map<String, String> m) {
    if (m == null || m.isEmpty()) return Collections.emptyMap();
    // TreeMap (not Map.copyOf) because a null label value must reach the validator, not NPE here.
    return Collections.unmodifiableSortedMap(new TreeMap<>(m));
  }
}
