package dev.netctl.datastore.model;

/**
 * One broken rule in one resource.
 *
 * @param kind the resource kind, e.g. {@code IPPool}
 * @param name the resource name, {@code NAMESPACE/NAME} for a namespaced kind as kubectl and
 *     calicoctl name such objects (may be empty when the name itself is missing)
 * @param field the offending field as a path, e.g. {@code spec.blockSize}
 * @param value the offending value as text ({@code <none>} when absent)
 * @param rule what the value must satisfy, e.g. {@code must be 20-32 for an IPv4 pool}
 */
public record Violation(String kind, String name, String field, String value, String rule) {

  /** E.g. {@code IPPool "p1": spec.blockSize "40" must be 20-32 for an IPv4 pool}. */
  public String message() {
    return kind
        + " \""
        + (name == null ? "" : name)
        + "\": "
        + field
        + " \""
        + value
        + "\" "
        + rule;
  }

  /**
   * How a violation names {@code r}: {@code NAMESPACE/NAME} for a namespaced kind, since two
   * policies of one name in two namespaces are two objects and a message must say which one.
   */
  public static String nameOf(Resource r) {
    String name = r.name();
    if (name == null || name.isEmpty() || !r.kind().namespaced()) return name;
    return r.storageName();
  }

  @Override
  public String toString() {
    return message();
  }
}
