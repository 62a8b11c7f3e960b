package dev.netctl.datastore.migrate;

import dev.netctl.datastore.DatastoreException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for a datastore future the way the typed clients do: bounded, exceptions unwrapped. */
final class Blocking {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Blocking() {}

  static <T> T await(CompletableFuture<T> f, String address) {
    return await(f, address, TIMEOUT);
  }

  static <T> T await(CompletableFuture<T> f, String address, Duration timeout) {
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
