package dev.netctl.datastore;

import java.util.Objects;

/**
 * Identifies one stored object by its kind and name, never by a backend path.
 *
 * <p>Each backend maps keys its own way: the embedded store keeps them as columns, etcd as {@code
 * /netctl/<kind>/<name>}, and the Kubernetes backend as one CRD per kind. Callers never see that
 * layout, which is what lets the three backends share one conformance suite.
 *
 * @param kind the resource kind, e.g. {@code IPPool} or {@code IPAMBlock}
 * @param name the object's name within its kind
 */
public record Key(String kind, String name) {
  public Key {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    if (kind.isEmpty() || name.isEmpty()) {
      throw new IllegalArgumentException("kind and name must not be empty: " + kind + "/" + name);
    }
    if (kind.indexOf('/') >= 0) {
      throw new IllegalArgumentException("kind must not contain '/': " + kind);
    }
  }

  @Override
  public String toString() {
    return kind + "/" + name;
  }
}
