package dev.netctl.datastore.client;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A create-only lock that serializes IP pool creators on a backend that writes one object per
 * commit (Kubernetes), where {@link GuardedCommit}'s guard key cannot ride in the pool's commit.
 *
 * <p>Why a lock and not a check after the write: "the later of two overlapping pools deletes
 * itself" needs each pool's <em>creation</em> order, and a stored object only carries the revision
 * of its last write (an update moves it), so two creators could each judge the other younger. A
 * lock held around list, validate and create makes the second creator list after the first one's
 * pool exists, so its validation refuses the overlap.
 *
 * <ul>
 *   <li>Taken by <em>creating</em> {@link #KEY}: of two takers the backend lets one create succeed
 *       and answers the other AlreadyExists (HTTP 409), which waits with backoff.
 *   <li>Released by deleting it at the revision we wrote (a compare-and-swap, so a lock taken over
 *       meanwhile is not deleted).
 *   <li>A holder that died leaves it behind: a waiter takes it over (compare-and-swap update) once
 *       it has seen it unchanged for {@code ttl} on its own clock, so clock skew does not matter.
 *   <li>A holder writes only while less than half the ttl has passed since it took the lock, so a
 *       slow holder gives up before a waiter can take over; what remains is a process paused
 *       between that check and its write, which the agent and controller catch (they refuse the
 *       younger of two overlapping pools).
 * </ul>
 */
final class PoolCreationLock {
  /** The lock object; a stored-only kind beside the etcd guard key. */
  static final Key KEY = new Key(GuardedCommit.POOL_GUARD.kind(), "creation-lock");

  static final Duration TTL = Duration.ofSeconds(10);

  /** A lock we hold: the revision we wrote it at, and when (our clock, nanoseconds). */
  record Held(long revision, long since) {}

  private final Datastore store;
  private final GuardedCommit.Awaiter awaiter;
  private final long ttlNanos;
  private final LongSupplier nanoTime;
  private final byte[] value;

  PoolCreationLock(
      Datastore store, GuardedCommit.Awaiter awaiter, Duration ttl, LongSupplier nanoTime) {
    this.store = store;
    this.awaiter = awaiter;
    this.ttlNanos = ttl.toNanos();
    this.nanoTime = nanoTime;
    String holder = ProcessHandle.current().pid() + "-" + UUID.randomUUID();
    this.value =
        ("{\"holder\":\"" + holder + "\",\"purpose\":\"IP pool creation\"}")
            .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Takes the lock, waiting for a live holder and taking over a dead one's.
   *
   * @throws DatastoreException.Unavailable when it stays held by changing holders for three ttls
   */
  Held acquire() {
    long start = nanoTime.getAsLong();
    long seenRevision = -1;
    long seenAt = 0;
    long backoffMillis = 2;
    while (true) {
      long now = nanoTime.getAsLong();
      if (now - start > 3 * ttlNanos) {
        throw new DatastoreException.Unavailable(
            store.address(),
            "the IP pool creation lock "
                + KEY
                + " stayed held for "
                + Duration.ofNanos(now - start).toSeconds()
                + " s; another netctl is creating pools, try again",
            null);
      }
      try {
        return new Held(awaiter.await(store.create(KEY, value)).revision(), now);
      } catch (DatastoreException.AlreadyExists e) {
        // held: look at it below
      }
      Optional<Entry> current = awaiter.await(store.get(KEY));
      if (current.isEmpty()) continue; // released between our create and our read
      long rev = current.get().revision();
      if (rev != seenRevision) {
        seenRevision = rev;
        seenAt = now;
      } else if (now - seenAt >= ttlNanos) {
        try {
          return new Held(awaiter.await(store.update(KEY, value, rev)).revision(), now);
        } catch (DatastoreException.Conflict | DatastoreException.NotFound e) {
          continue; // another waiter took it over, or it was released
        }
      }
      LockSupport.parkNanos(Duration.ofMillis(backoffMillis).toNanos());
      backoffMillis = Math.min(backoffMillis * 2, 100);
    }
  }

  /** Whether a holder may still write: less than half the ttl since it took the lock. */
  boolean fresh(Held held) {
    return nanoTime.getAsLong() - held.since() < ttlNanos / 2;
  }

  /** Gives the lock up; does nothing when it was taken over meanwhile. */
  void release(Held held) {
    try {
      awaiter.await(store.delete(KEY, held.revision()));
    } catch (DatastoreException e) {
      // Taken over (Conflict, NotFound) or unreachable: it expires by itself.
    }
  }
}
