package dev.netctl.kube;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netctl.datastore.DatastoreException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The reads of Kubernetes' own objects the node agent makes beside the datastore: that its Node
 * exists, and a Pod's metadata for the CNI side (labels and annotations before the Pod has an
 * address, as Calico's CNI plugin reads them).
 */
public final class KubernetesObjects {

  /**
   * A Pod's metadata.
   *
   * @param labels its labels
   * @param annotations its annotations
   * @param serviceAccount its service account, or null
   */
  public record PodMeta(
      Map<String, String> labels, Map<String, String> annotations, String serviceAccount) {}

  private final KubernetesDatastore store;

  public KubernetesObjects(KubernetesDatastore store) {
    this.store = store;
  }

  /**
   * Checks that a Kubernetes Node named {@code node} exists: on Kubernetes the agent's node name
   * must be its Node's (the DaemonSet passes {@code spec.nodeName}).
   *
   * @throws IllegalArgumentException when there is none, saying so
   * @throws DatastoreException.Unavailable when the API server does not answer
   */
  public void requireNode(String node) {
    KubernetesDatastore.Response r = await(store.call("GET", "/api/v1/nodes/" + node, null));
    if (r.code() == 404) {
      throw new IllegalArgumentException(
          "node name \""
              + node
              + "\": no Kubernetes Node of that name on "
              + store.address()
              + "; with the kubernetes datastore the agent's name must be its Kubernetes"
              + " Node's (the DaemonSet sets NETCTL_NODE_NAME from spec.nodeName; or pass --name)");
    }
    if (r.code() != 200) throw store.unexpected("get node " + node, r);
  }

  /** A Pod's labels, annotations and service account, or empty when there is no such Pod. */
  public Optional<PodMeta> pod(String namespace, String name) {
    KubernetesDatastore.Response r =
        await(store.call("GET", CoreKinds.PODS.objectPath(namespace, name), null));
    if (r.code() == 404) return Optional.empty();
    if (r.code() != 200) throw store.unexpected("get pod " + namespace + "/" + name, r);
    JsonNode meta = r.body().path("metadata");
    String sa = r.body().path("spec").path("serviceAccountName").asText("");
    return Optional.of(
        new PodMeta(
            CoreKinds.strings(meta.path("labels")),
            CoreKinds.strings(meta.path("annotations")),
            sa.isEmpty() ? null : sa));
  }

  private <T> T await(java.util.concurrent.CompletableFuture<T> f) {
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) throw re;
      throw new DatastoreException.Unavailable(store.address(), e.getMessage(), e);
    } catch (TimeoutException e) {
      throw new DatastoreException.Unavailable(store.address(), "no answer in 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatastoreException.Unavailable(store.address(), "interrupted", e);
    }
  }
}
