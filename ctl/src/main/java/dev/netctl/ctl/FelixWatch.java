package dev.netctl.ctl;

import dev.netctl.datastore.Blocking;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.client.ResourceEvent;
import dev.netctl.datastore.model.FelixConfiguration;
import dev.netctl.datastore.model.Kind;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The node agent's watch of the cluster's and its node's FelixConfiguration: {@link #changed} is
 * set on every change of either (the agent's wait reads them again, not this callback, which runs
 * on the store's watch thread). A watch the store ends (compaction, a trimmed log, HTTP 410) is
 * started again from a fresh listing, which counts as a change. One that could not be started (on
 * Kubernetes before the FelixConfiguration CRD is installed, a store not answering) is tried again
 * every {@code retry}; once it runs, that counts as a change too, so what was written meanwhile is
 * applied. Not thread-safe apart from {@link #changed}: the agent's wait calls {@link #renewIfLost}
 * and {@link #close}.
 */
final class FelixWatch implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("netctl.agent");

  /** How long after a failure an unwatched FelixConfiguration is tried again. */
  static final Duration RETRY = Duration.ofSeconds(30);

  private static final Duration LIST_TIMEOUT = Duration.ofSeconds(5);

  final AtomicBoolean changed = new AtomicBoolean();
  private final AtomicBoolean lost = new AtomicBoolean();
  private final ResourceClient client;
  private final Datastore store;
  private final String own;
  private final long retryNanos;
  private Watch watch;
  // When an unwatched FelixConfiguration is tried again (System.nanoTime), while watch is null.
  private long retryAt;

  /**
   * @param revision what {@link #revision} returned: watched from there, or -1 to try again later
   * @param retry how long after a failure to try again ({@link #RETRY}; shorter in tests)
   */
  FelixWatch(
      ResourceClient client, Datastore store, String nodeName, long revision, Duration retry) {
    this.client = client;
    this.store = store;
    this.own = FelixConfiguration.NODE_PREFIX + nodeName;
    this.retryNanos = retry.toNanos();
    if (revision >= 0) {
      start(revision, true);
    } else {
      retryAt = System.nanoTime() + retryNanos;
    }
  }

  /**
   * The revision FelixConfiguration is listed at, or -1 when the kind cannot be listed. The store's
   * listing, not the client's: an object that does not decode must not stop the watch.
   *
   * @param warn whether a failure is logged (the first one is; retries are not)
   */
  static long revision(Datastore store, boolean warn) {
    try {
      // A short wait: the agent's wait calls this, and must go on noticing its agent stop.
      return Blocking.await(
              store.list(Kind.FELIX_CONFIGURATION.storageKind()), "datastore", LIST_TIMEOUT)
          .revision();
    } catch (RuntimeException e) {
      // Any failure: the agent must start without the watch, as it starts without the objects.
      if (warn) notWatched(e);
      return -1;
    }
  }

  private static void notWatched(RuntimeException e) {
    LOG.log(
        System.Logger.Level.WARNING,
        "FelixConfiguration not watched ({0}): the agent runs with what it read and tries again"
            + " every {1} s",
        e.getMessage(),
        RETRY.toSeconds());
  }

  /** Whether the watch runs (false while it waits to be tried again). */
  boolean watching() {
    return watch != null;
  }

  private boolean start(long revision, boolean warn) {
    try {
      watch = client.watch(Kind.FELIX_CONFIGURATION, revision, this::event);
      return true;
    } catch (RuntimeException e) {
      if (warn) notWatched(e);
      retryAt = System.nanoTime() + retryNanos;
      return false;
    }
  }

  private void event(ResourceEvent<FelixConfiguration> ev) {
    String name =
        switch (ev) {
          case ResourceEvent.Put<FelixConfiguration> p -> p.resource().metadata().name();
          case ResourceEvent.Deleted<FelixConfiguration> d -> d.name();
          case ResourceEvent.Undecodable<FelixConfiguration> u -> u.name();
          case ResourceEvent.ResyncNeeded<FelixConfiguration> r -> {
            lost.set(true); // the store's last event on this watch
            yield null;
          }
        };
    if (name == null || name.equals(FelixConfiguration.DEFAULT_NAME) || name.equals(own)) {
      changed.set(true);
    }
  }

  /**
   * Watches again from a fresh listing if the store ended the watch, or if the watch could not be
   * started and it is time to try again. Each time the agent's wait wakes.
   */
  void renewIfLost() {
    boolean wasLost = lost.getAndSet(false);
    if (wasLost) {
      if (watch != null) watch.close();
      watch = null;
    } else if (watch != null || System.nanoTime() - retryAt < 0) {
      return;
    }
    long revision = revision(store, wasLost);
    if (revision < 0) {
      retryAt = System.nanoTime() + retryNanos;
      return;
    }
    if (start(revision, wasLost) && !wasLost) {
      LOG.log(System.Logger.Level.INFO, "FelixConfiguration watched from now on");
    }
    if (watch != null) changed.set(true);
  }

  @Override
  public void close() {
    if (watch != null) watch.close();
  }
}
