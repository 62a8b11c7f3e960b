package dev.netctl.ipam.store;

import dev.netctl.datastore.DatastoreException;
import java.util.function.Supplier;

/**
 * Bounded retry for datastore outages: short sleeps growing to one second, about twenty seconds in
 * all, which covers an etcd restart. Only for calls that are safe to repeat.
 */
public final class Backoff {
  public static final int MAX_ATTEMPTS = 30;

  private Backoff() {}

  /** Runs {@code call}, retrying it while the datastore is unavailable. */
  public static <T> T retryUnavailable(Supplier<T> call) {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (DatastoreException.Unavailable e) {
        if (attempt >= MAX_ATTEMPTS) throw e;
        pause(attempt);
      }
    }
  }

  /** Sleeps before retry number {@code attempt} (1-based). */
  public static void pause(int attempt) {
    long millis = Math.min(1000, 20L << Math.min(attempt, 6));
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatastoreException.Unavailable("ipam", "interrupted while waiting to retry", e);
    }
  }
}
