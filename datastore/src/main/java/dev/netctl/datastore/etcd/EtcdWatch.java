package dev.netctl.datastore.etcd;

import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.WatchDelivery;
import dev.netctl.datastore.WatchEvent;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One datastore watch over jetcd, resubscribed by us rather than by jetcd.
 *
 * <p>jetcd resumes a broken watch on its own, but from a revision it derives from response headers,
 * which can skip events not yet delivered or repeat one. So on any error this class abandons the
 * jetcd watcher (ignoring whatever it still reports, by a generation number) and, after a short
 * backoff, subscribes again from the last revision it delivered + 1. That revision is exact, so the
 * listener sees every event once and in order across disconnects and etcd restarts. A compacted
 * start revision ends the watch with ResyncNeeded.
 *
 * <p>jetcd calls the listener on its event loop; this class only updates fields and queues events
 * on the {@link WatchDelivery}, and does the closing and resubscribing on the store's scheduler.
 */
final class EtcdWatch {
  private static final Logger log = LoggerFactory.getLogger(EtcdWatch.class);
  private static final long MIN_BACKOFF_MS = 50;
  private static final long MAX_BACKOFF_MS = 2000;

  private final Watch watchClient;
  private final ByteSequence prefix;
  private final Function<KeyValue, Key> keyOf;
  private final WatchDelivery delivery;
  private final ScheduledExecutorService scheduler;
  private final String address;

  // Guarded by this.
  private long lastDelivered;
  private long generation;
  private Watch.Watcher current;
  private long backoffMs = MIN_BACKOFF_MS;
  private boolean stopped;

  EtcdWatch(
      Watch watchClient,
      ByteSequence prefix,
      long afterRevision,
      Function<KeyValue, Key> keyOf,
      WatchDelivery delivery,
      ScheduledExecutorService scheduler,
      String address) {
    this.watchClient = watchClient;
    this.prefix = prefix;
    this.lastDelivered = afterRevision;
    this.keyOf = keyOf;
    this.delivery = delivery;
    this.scheduler = scheduler;
    this.address = address;
  }

  void start() {
    subscribe();
  }

  private void subscribe() {
    long gen;
    long from;
    synchronized (this) {
      if (stopped || delivery.isEnded()) return;
      gen = ++generation;
      from = lastDelivered + 1;
    }
    WatchOption option = WatchOption.builder().isPrefix(true).withRevision(from).build();
    Watch.Watcher w;
    try {
      w =
          watchClient.watch(
              prefix, option, Watch.listener(r -> onNext(gen, r), t -> onError(gen, t), () -> {}));
    } catch (RuntimeException e) {
      // The client is closing: nothing to resume.
      log.debug("cannot watch {} on {}", prefix, address, e);
      return;
    }
    boolean stale;
    synchronized (this) {
      stale = gen != generation || stopped;
      if (!stale) current = w;
    }
    if (stale) closeLater(w);
  }

  private synchronized void onNext(long gen, WatchResponse response) {
    if (gen != generation || stopped) return;
    backoffMs = MIN_BACKOFF_MS;
    for (io.etcd.jetcd.watch.WatchEvent e : response.getEvents()) {
      KeyValue kv = e.getKeyValue();
      long rev = kv.getModRevision();
      Key key;
      try {
        key = keyOf.apply(kv);
      } catch (IllegalArgumentException bad) {
        // Written by another tool under our prefix (e.g. an empty name): not an object of ours.
        // Skipping it here, on jetcd's thread, keeps one foreign key from breaking the stream.
        log.warn("ignoring key {} on {}: {}", kv.getKey(), address, bad.getMessage());
        lastDelivered = Math.max(lastDelivered, rev);
        continue;
      }
      WatchEvent event =
          switch (e.getEventType()) {
            case PUT ->
                new WatchEvent.Put(
                    new Entry(key, kv.getValue().getBytes(), rev), kv.getVersion() == 1);
            case DELETE -> new WatchEvent.Deleted(key, rev);
            case UNRECOGNIZED -> null;
          };
      if (event == null) continue;
      delivery.offer(event);
      lastDelivered = Math.max(lastDelivered, rev);
    }
  }

  private void onError(long gen, Throwable t) {
    Watch.Watcher abandoned;
    long delay;
    CompactedException compacted = compacted(t);
    synchronized (this) {
      if (gen != generation || stopped) return;
      generation++; // whatever this jetcd watcher reports from now on is ignored
      abandoned = current;
      current = null;
      delay = backoffMs;
      backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      if (compacted != null) stopped = true;
    }
    if (abandoned != null) closeLater(abandoned);
    if (compacted != null) {
      delivery.offer(
          new WatchEvent.ResyncNeeded(
              compacted.getCompactedRevision(),
              "etcd "
                  + address
                  + " compacted its history to revision "
                  + compacted.getCompactedRevision()
                  + "; watch was at "
                  + lastDeliveredNow()));
      return;
    }
    log.debug("watch of {} on {} broke; resuming in {} ms", prefix, address, delay, t);
    try {
      scheduler.schedule(this::subscribe, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // The store is closing.
    }
  }

  /** Ends the watch and its delivery: the store is closing. */
  void end() {
    stop();
    delivery.close();
  }

  private synchronized long lastDeliveredNow() {
    return lastDelivered;
  }

  /** Ends the watch. Called by the user's close or the store's, never from jetcd's event loop. */
  void stop() {
    Watch.Watcher w;
    synchronized (this) {
      if (stopped && current == null) return;
      stopped = true;
      generation++;
      w = current;
      current = null;
    }
    if (w != null) w.close();
  }

  private void closeLater(Watch.Watcher w) {
    // Closing a jetcd watcher from inside its own callback re-enters jetcd; do it off that thread.
    try {
      scheduler.execute(w::close);
    } catch (RejectedExecutionException e) {
      w.close();
    }
  }

  private static CompactedException compacted(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof CompactedException ce) return ce;
    }
    return null;
  }
}
