package dev.netctl.datastore.client;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Write;
import dev.netctl.datastore.model.Resource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Writes a validated plan in one atomic commit, fenced by a guard key when the plan creates IP
 * pools.
 *
 * <p>Why a guard: "pools must not overlap" is a rule across objects, checked by reading the other
 * pools before writing. Two clients creating overlapping pools at the same moment would both pass
 * that check. Every pool-creating commit therefore also rewrites {@link #POOL_GUARD} on the
 * condition that it still has the revision read <em>before</em> the pools were listed; of two
 * racing creators one commit fails on the guard, and its retry validates against the winner's pool.
 *
 * <p>A backend whose {@link Datastore#maxOpsPerCommit()} is too small for the plan gets the writes
 * one at a time, in order, without the guard: correct per object but not atomic across them (the
 * Kubernetes backend, whose limit is 1; docs/kubernetes.md says what that costs). There, a plan
 * that may create pools runs under a {@link PoolCreationLock} instead, from the listing to the last
 * write, so racing pool creators are still serialized.
 */
final class GuardedCommit {
  /** The key every pool-creating commit rewrites; not a resource kind, never listed by users. */
  static final Key POOL_GUARD = new Key("IPPoolGuard", "default");

  /** Rounds lost to concurrent pool creators before giving up with the last conflict. */
  static final int MAX_ROUNDS = 8;

  /** Blocks on a datastore future the way the client does (timeout, exception mapping). */
  interface Awaiter {
    <T> T await(CompletableFuture<T> f);
  }

  /**
   * One object of a plan: the write that stores it (null when it is unchanged) and what the caller
   * gets back once the write has its revision.
   */
  record Step(Write write, Applied<Resource> applied) {}

  /** What one round of planning produced, validated, and whether it creates pools. */
  record Plan(List<Step> steps, boolean createsPools) {}

  private final Datastore store;
  private final Awaiter awaiter;

  private final PoolCreationLock lock;

  GuardedCommit(Datastore store, Awaiter awaiter) {
    this.store = store;
    this.awaiter = awaiter;
    this.lock = new PoolCreationLock(store, awaiter, PoolCreationLock.TTL, System::nanoTime);
  }

  /**
   * Reads the guard (when the plan may create pools), runs {@code planner} (which validates against
   * what it reads and may throw), then commits the plan's writes, with the guard when the plan
   * creates pools; repeats when another pool creator won the guard.
   *
   * @return each step's result, with the new resourceVersion where something was written
   */
  List<Applied<Resource>> run(boolean mayCreatePools, Supplier<Plan> planner) {
    if (mayCreatePools && store.maxOpsPerCommit() < 2) return underLock(planner);
    DatastoreException lost = null;
    for (int round = 0; round < MAX_ROUNDS; round++) {
      // Read before planning, so that a pool committed after the planner's listing moves it.
      Optional<Entry> guard =
          mayCreatePools ? awaiter.await(store.get(POOL_GUARD)) : Optional.empty();
      Plan plan = planner.get();
      List<Write> own = plan.steps().stream().map(Step::write).filter(w -> w != null).toList();
      if (own.isEmpty()) {
        return plan.steps().stream().map(Step::applied).toList();
      }
      List<Write> writes = new ArrayList<>(own);
      if (plan.createsPools()) {
        writes.add(guardWrite(guard));
      }
      try {
        List<Long> revisions =
            writes.size() > store.maxOpsPerCommit() ? oneByOne(own) : commit(writes);
        return stamped(plan.steps(), revisions);
      } catch (DatastoreException e) {
        // Losing the guard (changed, created or deleted by another writer) means: plan again.
        if (!POOL_GUARD.equals(keyOf(e))) {
          throw e;
        }
        lost = e;
      }
    }
    throw lost;
  }

  /**
   * One-write-per-commit backends: list, validate and write while holding the pool creation lock. A
   * round that took longer than the lock allows writes nothing and starts again.
   */
  private List<Applied<Resource>> underLock(Supplier<Plan> planner) {
    for (int round = 0; round < MAX_ROUNDS; round++) {
      PoolCreationLock.Held held = lock.acquire();
      try {
        Plan plan = planner.get();
        List<Write> own = plan.steps().stream().map(Step::write).filter(w -> w != null).toList();
        if (own.isEmpty()) return plan.steps().stream().map(Step::applied).toList();
        if (lock.fresh(held)) return stamped(plan.steps(), oneByOne(own));
      } finally {
        lock.release(held);
      }
    }
    throw new DatastoreException.Unavailable(
        store.address(),
        "validating IP pools took longer than the pool creation lock allows, "
            + MAX_ROUNDS
            + " times; nothing was written",
        null);
  }

  private static List<Applied<Resource>> stamped(List<Step> steps, List<Long> revisions) {
    List<Applied<Resource>> out = new ArrayList<>(steps.size());
    int next = 0;
    for (Step s : steps) {
      if (s.write() == null) {
        out.add(s.applied());
        continue;
      }
      Resource r = s.applied().resource();
      String rv = Long.toString(revisions.get(next++));
      out.add(
          new Applied<>(
              r.withMetadata(r.metadata().withResourceVersion(rv)), s.applied().outcome()));
    }
    return out;
  }

  private static Write guardWrite(Optional<Entry> guard) {
    // The value only has to differ per write for humans reading the store; the revision is the
    // fence.
    byte[] value = ("{\"fencedAt\":" + System.nanoTime() + "}").getBytes(StandardCharsets.UTF_8);
    return guard.isPresent()
        ? new Write.Update(POOL_GUARD, value, guard.get().revision())
        : new Write.Create(POOL_GUARD, value);
  }

  private List<Long> oneByOne(List<Write> writes) {
    List<Long> revisions = new ArrayList<>();
    for (Write w : writes) {
      revisions.add(commit(List.of(w)).getFirst());
    }
    return revisions;
  }

  private static Key keyOf(DatastoreException e) {
    return switch (e) {
      case DatastoreException.Conflict c -> c.key();
      case DatastoreException.AlreadyExists a -> a.key();
      case DatastoreException.NotFound n -> n.key();
      default -> null;
    };
  }

  private List<Long> commit(List<Write> writes) {
    return awaiter.await(store.commit(writes));
  }
}
