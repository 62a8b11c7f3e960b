package dev.netctl.datastore;

/**
 * A backend that lives in another module, found through {@link java.util.ServiceLoader} when a spec
 * names it. The Kubernetes backend is one: it needs fabric8, which this module must not depend on
 * (and which embedded or etcd commands must never load).
 *
 * <p>Implementations are listed in {@code META-INF/services/dev.netctl.datastore.DatastoreProvider}
 * and must keep their class initialisation free of the backend's libraries, since the loader
 * instantiates every provider it finds.
 */
public interface DatastoreProvider {

  /** The spec scheme this provider opens, e.g. {@code kubernetes}. */
  String scheme();

  /**
   * Opens the store. Connection failures surface later, in the futures of its operations.
   *
   * @throws IllegalArgumentException when the spec cannot be used (e.g. an unreadable kubeconfig)
   */
  Datastore open(Datastores.Spec spec);
}
