package dev.netctl.kube;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Node;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the labels of this node's netctl Node equal to its Kubernetes Node's, so pool and BGPPeer
 * {@code nodeSelector}s (and peer selectors) match the labels people put on Kubernetes Nodes, as in
 * Calico's KDD mode. On Kubernetes the Kubernetes Node's labels are the only ones: a label set with
 * {@code netctl label node} is replaced by the next copy.
 *
 * <p>A shared informer follows the Kubernetes Node (list, then watch; fabric8 relists when the
 * watch expires); one thread writes the netctl Node by compare-and-swap, retrying on conflict, and
 * waits while the agent has not registered the Node yet.
 */
public final class NodeLabelMirror implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeLabelMirror.class);

  private final String node;
  private final ResourceClient client;
  private final SharedIndexInformer<io.fabric8.kubernetes.api.model.Node> informer;
  private final Semaphore wake = new Semaphore(0);
  private final Thread worker;
  private volatile Map<String, String> labels;
  private volatile boolean closed;

  /**
   * Starts following Kubernetes Node {@code node} of {@code store} and copying its labels.
   *
   * @param store the kubernetes store as it was opened (its writes pass its migration gate)
   * @throws IllegalArgumentException when {@code store} is not on Kubernetes
   */
  public NodeLabelMirror(Datastore store, String node) {
    KubernetesDatastore kube = KubernetesDatastore.of(store);
    this.node = node;
    this.client = new ResourceClient(store);
    this.worker = Thread.ofVirtual().name("netctl-node-labels").start(this::run);
    this.informer =
        kube.client()
            .nodes()
            .withName(node)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(io.fabric8.kubernetes.api.model.Node n) {
                    seen(n);
                  }

                  @Override
                  public void onUpdate(
                      io.fabric8.kubernetes.api.model.Node old,
                      io.fabric8.kubernetes.api.model.Node n) {
                    seen(n);
                  }

                  @Override
                  public void onDelete(io.fabric8.kubernetes.api.model.Node n, boolean unknown) {}
                },
                0);
  }

  private void seen(io.fabric8.kubernetes.api.model.Node n) {
    if (!node.equals(n.getMetadata().getName())) return;
    Map<String, String> l = n.getMetadata().getLabels();
    labels = l == null ? Map.of() : Map.copyOf(l);
    wake.release();
  }

  private void run() {
    long backoff = 100;
    while (!closed) {
      try {
        if (!wake.tryAcquire(backoff == 0 ? 60_000 : backoff, TimeUnit.MILLISECONDS)
            && backoff == 0) {
          continue;
        }
        wake.drainPermits();
        backoff = copy() ? 0 : Math.min(Math.max(100, backoff * 2), 5_000);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn(
            "copying the labels of Kubernetes Node {} failed: {}; retrying", node, e.toString());
        backoff = Math.min(Math.max(100, backoff * 2), 5_000);
      }
    }
  }

  /** One attempt; false when it must be retried (no netctl Node yet, or a concurrent write). */
  private boolean copy() {
    Map<String, String> want = labels;
    if (want == null) return true; // nothing seen yet: the informer wakes us
    Optional<Node> current = client.find(Kind.NODE, node);
    if (current.isEmpty()) return false; // the agent registers it
    Node n = current.get();
    if (n.metadata().labels().equals(want)) return true;
    try {
      client.update(new Node(n.metadata().withLabels(want), n.spec()));
      log.info("node {}: labels of the Kubernetes Node copied: {}", node, want);
      return true;
    } catch (DatastoreException.Conflict e) {
      return false;
    }
  }

  @Override
  public void close() {
    closed = true;
    informer.close();
    worker.interrupt();
  }
}
