package dev.netctl.kube;

import dev.netctl.datastore.Datastore;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clears the {@code NetworkUnavailable} condition of this node's Kubernetes Node once the agent
 * runs ({@link KubernetesObjects#markNetworkAvailable}), retrying with backoff (200 ms doubling to
 * 30 s) until the API server takes it: a node left NetworkUnavailable gets no pods, so one failed
 * request must not be the end of it.
 */
public final class NodeNetworkCondition implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeNetworkCondition.class);
  private static final long FIRST_BACKOFF_MS = 200;
  private static final long MAX_BACKOFF_MS = 30_000;

  private final String node;
  private final KubernetesObjects objects;
  private final Clock clock;
  private final Thread worker;
  private volatile boolean closed;
  private volatile boolean marked;

  /**
   * Starts marking Kubernetes Node {@code node} of {@code store} as having a network.
   *
   * @throws IllegalArgumentException when {@code store} is not on Kubernetes
   */
  public NodeNetworkCondition(Datastore store, String node, Clock clock) {
    KubernetesDatastore kube = KubernetesDatastore.of(store);
    this.node = node;
    this.objects = new KubernetesObjects(kube);
    this.clock = clock;
    this.worker = Thread.ofVirtual().name("netctl-node-network-condition").start(this::run);
  }

  private void run() {
    long backoff = FIRST_BACKOFF_MS;
    while (!closed) {
      try {
        if (objects.markNetworkAvailable(node, clock.instant())) {
          log.info(
              "node {}: condition NetworkUnavailable=False ({})",
              node,
              KubernetesObjects.NETCTL_IS_UP);
        }
        marked = true;
        return;
      } catch (RuntimeException e) {
        log.warn(
            "node {}: setting NetworkUnavailable=False failed ({}); retrying in {} ms",
            node,
            e.getMessage(),
            backoff);
      }
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        return;
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  /** Whether the condition is set (or was already False). */
  boolean marked() {
    return marked;
  }

  @Override
  public void close() {
    closed = true;
    worker.interrupt();
  }
}
