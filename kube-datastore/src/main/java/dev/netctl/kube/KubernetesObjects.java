package dev.netctl.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netctl.datastore.Blocking;
import dev.netctl.datastore.DatastoreException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The reads of Kubernetes' own objects netctl makes beside the datastore: the agent's check that
 * its Node exists, the controller's list of Nodes (which nodes are alive), and a Pod's metadata for
 * the CNI side (labels and annotations before the Pod has an address, as Calico's CNI plugin reads
 * them).
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

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NODES = "/api/v1/nodes";

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
    KubernetesDatastore.Response r = await(store.call("GET", NODES + "/" + node, null));
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

  /** Whether a Kubernetes Node named {@code node} exists. */
  public boolean nodeExists(String node) {
    KubernetesDatastore.Response r = await(store.call("GET", NODES + "/" + node, null));
    if (r.code() == 404) return false;
    if (r.code() != 200) throw store.unexpected("get node " + node, r);
    return true;
  }

  /** The names of every Kubernetes Node, read in pages. */
  public Set<String> nodeNames() {
    Pager.Result all =
        await(store.pager().list(NODES, "list nodes", r -> store.unexpected("list nodes", r)));
    Set<String> out = new TreeSet<>();
    for (JsonNode n : all.items()) {
      String name = n.path("metadata").path("name").asText("");
      if (!name.isEmpty()) out.add(name);
    }
    return out;
  }

  /** The condition netctl's agent sets on its Node, and the reason it gives. */
  static final String NETWORK_UNAVAILABLE = "NetworkUnavailable";

  static final String NETCTL_IS_UP = "NetctlIsUp";

  /**
   * Sets the Kubernetes Node's {@code NetworkUnavailable} condition to False, as calico-node does
   * at start on the Kubernetes datastore. Where the cloud's route controller (GCE) or the node's
   * registration sets it True, the node keeps the {@code node.kubernetes.io/network-unavailable}
   * NoSchedule taint, and gets no pods, until the pod network's agent says otherwise. A strategic
   * merge patch of {@code nodes/<name>/status} merges conditions by type, so the kubelet's stay as
   * they are. Nothing is sent when the condition is already False (its transition time stays true).
   *
   * @return whether a patch was sent
   * @throws DatastoreException.Unavailable when the API server refuses or does not answer
   */
  public boolean markNetworkAvailable(String node, Instant now) {
    KubernetesDatastore.Response r = await(store.call("GET", NODES + "/" + node, null));
    if (r.code() != 200) throw store.unexpected("get node " + node, r);
    for (JsonNode c : r.body().path("status").path("conditions")) {
      if (NETWORK_UNAVAILABLE.equals(c.path("type").asText())
          && "False".equals(c.path("status").asText())) {
        return false;
      }
    }
    String at = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
    ObjectNode condition = JSON.createObjectNode();
    condition.put("type", NETWORK_UNAVAILABLE);
    condition.put("status", "False");
    condition.put("reason", NETCTL_IS_UP);
    condition.put("message", "netctl's node agent is running on this node");
    condition.put("lastTransitionTime", at);
    condition.put("lastHeartbeatTime", at);
    ObjectNode patch = JSON.createObjectNode();
    patch.putObject("status").putArray("conditions").add(condition);
    KubernetesDatastore.Response p =
        await(
            store.call(
                "PATCH",
                NODES + "/" + node + "/status",
                patch,
                "application/strategic-merge-patch+json"));
    // the CRUD mock answers a PATCH with 202
    if (p.code() != 200 && p.code() != 202) {
      throw store.unexpected("patch the status of node " + node, p);
    }
    return true;
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
    return Blocking.await(f, store.address());
  }
}
