package dev.netctl.datastore;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a watch's events to its listener on one thread, in the order they were offered, and keeps
 * the {@link Watch#close()} promise that no event is delivered once close has returned.
 *
 * <p>Backends offer events from their own I/O threads (a sqlite poller, a gRPC event loop); this
 * class moves the listener off those threads so a slow listener never stalls the backend, and a
 * listener may call back into the datastore without deadlocking it.
 */
public final class WatchDelivery implements Watch {
  private static final Logger log = LoggerFactory.getLogger(WatchDelivery.class);

  private final String description;
  private final Consumer<WatchEvent> listener;
  private final Runnable onClose;
  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(Thread.ofVirtual().name("netctl-watch").factory());
  // Held while the listener runs, so close() can wait for a delivery in progress.
  private final ReentrantLock delivering = new ReentrantLock();
  private final AtomicBoolean unregistered = new AtomicBoolean();
  private volatile boolean accepting = true;
  private volatile boolean closed;

  /**
   * @param description what is watched, for log messages (e.g. "IPPool after 12 on etcd ...")
   * @param listener the caller's listener
   * @param onClose run once when the watch ends, to unregister it from the backend
   */
  public WatchDelivery(String description, Consumer<WatchEvent> listener, Runnable onClose) {
    this.description = description;
    this.listener = listener;
    this.onClose = onClose;
  }

  /**
   * Queues one event. A {@link WatchEvent.ResyncNeeded} is the last event: the watch stops
   * accepting events after it. Returns false once the watch no longer accepts events.
   */
  public boolean offer(WatchEvent event) {
    if (!accepting) return false;
    try {
      executor.execute(() -> deliver(event));
    } catch (RejectedExecutionException e) {
      return false;
    }
    if (event instanceof WatchEvent.ResyncNeeded) {
      // The queued ResyncNeeded is still delivered; nothing after it is.
      accepting = false;
      executor.shutdown();
      unregister();
    }
    return true;
  }

  /** True once the watch takes no more events: closed by the caller or ended by a resync. */
  public boolean isEnded() {
    return !accepting;
  }

  private void deliver(WatchEvent event) {
    delivering.lock();
    try {
      if (closed) return;
      listener.accept(event);
    } catch (RuntimeException e) {
      // One bad listener call must not end the watch; the caller's bug is logged, not hidden.
      log.warn("watch listener of {} failed on {}", description, event, e);
    } finally {
      delivering.unlock();
    }
  }

  private void unregister() {
    if (unregistered.compareAndSet(false, true)) onClose.run();
  }

  @Override
  public void close() {
    closed = true;
    accepting = false;
    executor.shutdown();
    if (!delivering.isHeldByCurrentThread()) {
      // Wait for a listener call in progress: after close returns, nothing more is delivered.
      delivering.lock();
      delivering.unlock();
    }
    unregister();
  }
}
