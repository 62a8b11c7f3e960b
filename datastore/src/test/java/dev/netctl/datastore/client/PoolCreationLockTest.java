package dev.netctl.datastore.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.Blocking;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.memory.MemoryDatastore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PoolCreationLockTest {
  private static final Duration TTL = Duration.ofSeconds(10);
  private final Datastore store = new MemoryDatastore();
  private final GuardedCommit.Awaiter awaiter =
      new GuardedCommit.Awaiter() {
        @Override
        public <T> T await(CompletableFuture<T> f) {
          return Blocking.await(f, store.address());
        }
      };

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aDeadHoldersLockIsTakenOverOnlyAfterItStayedUnchangedForTheTtl() {
    AtomicLong now = new AtomicLong();
    PoolCreationLock dead = new PoolCreationLock(store, awaiter, TTL, now::get);
    PoolCreationLock.Held stale = dead.acquire();
    // every clock read by the waiter moves time on by one second
    PoolCreationLock waiter =
        new PoolCreationLock(
            store, awaiter, TTL, () -> now.addAndGet(Duration.ofSeconds(1).toNanos()));
    PoolCreationLock.Held taken = waiter.acquire();
    assertThat(Duration.ofNanos(now.get())).isGreaterThanOrEqualTo(TTL);
    assertThat(taken.revision()).isGreaterThan(stale.revision());
    assertThat(dead.fresh(stale)).as("the old holder is past half its ttl").isFalse();

    // the old holder's late release does not free the new holder's lock
    dead.release(stale);
    assertThat(Blocking.await(store.get(PoolCreationLock.KEY), store.address())).isPresent();
    waiter.release(taken);
    assertThat(Blocking.await(store.get(PoolCreationLock.KEY), store.address())).isEmpty();
  }

  @Test
  void aReleasedLockIsTakenAtOnce() {
    AtomicLong now = new AtomicLong();
    PoolCreationLock a = new PoolCreationLock(store, awaiter, TTL, now::get);
    PoolCreationLock b = new PoolCreationLock(store, awaiter, TTL, now::get);
    PoolCreationLock.Held held = a.acquire();
    assertThat(a.fresh(held)).isTrue();
    a.release(held);
    assertThat(b.acquire().revision()).isGreaterThan(held.revision());
  }
}
