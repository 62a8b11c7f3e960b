package dev.netctl.datastore;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for a datastore future the way the typed clients do: bounded, with the {@link
 * DatastoreException} inside the future rethrown as it is, anything else as Unavailable naming the
 * store.
 */
public final class Blocking {
  /** The default bound of one call. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Blocking() {}

  /** Waits at most {@link #TIMEOUT}. */
  public static <T> T await(CompletableFuture<T> f, String address) {
    return await(f, address, TIMEOUT);
  }

  /** Waits at most {@code timeout}. */
  public static <T> T await(CompletableFuture<T> f, String address, Duration timeout) {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) throw re;
      throw new DatastoreException.Unavailable(address, String.valueOf(e.getCause()), e);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new DatastoreException.Unavailable(
          address, "no answer within " + timeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatastoreException.Unavailable(address, "interrupted", e);
    }
  }
}
