package dev.netctl.ctl;

import dev.netctl.agent.cni.PodInfo;
import dev.netctl.datastore.ClusterNodes;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.kube.KubernetesDatastore;
import dev.netctl.kube.KubernetesObjects;
import dev.netctl.kube.NodeLabelMirror;
import dev.netctl.kube.NodeNetworkCondition;
import java.time.Clock;

/**
 * {@code netctl node run} on the kubernetes datastore: the agent's node is a Kubernetes Node. Its
 * name is checked against the API, its labels are copied onto the netctl Node, its {@code
 * NetworkUnavailable} condition is cleared, and the CNI side reads pods' labels and annotations
 * from the API.
 */
final class KubernetesNode {
  // As opened (behind the migration gate): the label copies are writes.
  private final Datastore store;
  private final KubernetesObjects objects;
  private final String name;

  private KubernetesNode(Datastore store, KubernetesObjects objects, String name) {
    this.store = store;
    this.objects = objects;
    this.name = name;
  }

  /**
   * Whether {@code store} is the kubernetes backend: whether its cluster keeps nodes of its own
   * ({@link ClusterNodes}, a datastore interface, so an embedded or etcd agent loads none of the
   * Kubernetes client's classes, docs/architecture.md).
   */
  static boolean isKubernetes(Datastore store) {
    return store.capability(ClusterNodes.class).isPresent();
  }

  /**
   * Checks that the Kubernetes Node {@code name} exists.
   *
   * @throws CliException USAGE when it does not, UNAVAILABLE when the API server does not answer
   */
  static KubernetesNode check(Datastore datastore, String name) {
    KubernetesObjects objects =
        new KubernetesObjects(datastore.capability(KubernetesDatastore.class).orElseThrow());
    try {
      objects.requireNode(name);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, e.getMessage());
    } catch (DatastoreException e) {
      throw new CliException(
          ExitCode.UNAVAILABLE, "cannot check Kubernetes Node \"" + name + "\": " + e.getMessage());
    }
    return new KubernetesNode(datastore, objects, name);
  }

  /** Starts copying the Kubernetes Node's labels onto the netctl Node; close to stop. */
  AutoCloseable mirrorLabels() {
    return new NodeLabelMirror(store, name);
  }

  /**
   * Sets the Kubernetes Node's {@code NetworkUnavailable} condition to False (retried until the API
   * server takes it), as calico-node does: a cloud that registers nodes with it True keeps them
   * tainted, without pods, until then. Close to stop retrying.
   */
  AutoCloseable markNetworkAvailable() {
    return new NodeNetworkCondition(store, name, Clock.systemUTC());
  }

  /** Pods' labels, annotations and service account, from the API. */
  PodInfo podInfo() {
    return (ns, pod) ->
        objects
            .pod(ns, pod)
            .map(p -> new PodInfo.Pod(p.labels(), p.annotations(), p.serviceAccount()));
  }
}
