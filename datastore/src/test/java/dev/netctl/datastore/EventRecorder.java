package dev.netctl.datastore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A watch listener for tests: records every event and lets a test wait (bounded) until some
 * condition on the recorded events holds. Shared with other modules through the test-jar.
 */
public final class EventRecorder implements Consumer<WatchEvent> {
  private final List<WatchEvent> events = new ArrayList<>();

  @Override
  public synchronized void accept(WatchEvent event) {
    events.add(event);
    notifyAll();
  }

  /** A copy of the events so far. */
  public synchronized List<WatchEvent> events() {
    return List.copyOf(events);
  }

  /** The revision of the last event, or {@code otherwise} when none arrived. */
  public synchronized long lastRevision(long otherwise) {
    return events.isEmpty() ? otherwise : events.getLast().revision();
  }

  /** Waits until {@code condition} holds on the events; fails with {@code what} otherwise. */
  public synchronized List<WatchEvent> awaitUntil(
      String what, Duration timeout, Predicate<List<WatchEvent>> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.test(events)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "timed out after " + timeout + " waiting for " + what + "; got " + events);
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
    return List.copyOf(events);
  }

  /** Waits until an event at or after {@code revision} arrived. */
  public List<WatchEvent> awaitRevision(long revision, Duration timeout) {
    return awaitUntil(
        "an event at revision >= " + revision,
        timeout,
        evs -> !evs.isEmpty() && evs.getLast().revision() >= revision);
  }

  /** Waits until at least {@code n} events arrived. */
  public List<WatchEvent> awaitCount(int n, Duration timeout) {
    return awaitUntil(n + " events", timeout, evs -> evs.size() >= n);
  }
}
