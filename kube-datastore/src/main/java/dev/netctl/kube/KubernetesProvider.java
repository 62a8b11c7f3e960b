package dev.netctl.kube;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreProvider;
import dev.netctl.datastore.Datastores;

/**
 * Opens {@code kubernetes[:KUBECONFIG]} specs for {@link Datastores#open}. Touches no fabric8 class
 * until {@link #open} runs, so loading the provider list costs embedded and etcd commands nothing.
 */
public final class KubernetesProvider implements DatastoreProvider {
  @Override
  public String scheme() {
    return "kubernetes";
  }

  @Override
  public Datastore open(Datastores.Spec spec) {
    if (!(spec instanceof Datastores.Spec.Kubernetes k)) {
      throw new IllegalArgumentException("not a kubernetes datastore spec: " + spec);
    }
    return KubernetesDatastore.connect(k.kubeconfig());
  }
}
