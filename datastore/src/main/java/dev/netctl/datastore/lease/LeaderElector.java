package dev.netctl.datastore.lease;

import dev.netctl.datastore.DatastoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Leader election on one {@link Lease}, the way Kubernetes' client-go does it, driven by calls to
 * {@link #tryAcquireOrRenew()} (every {@link Config#retryPeriod()}).
 *
 * <ul>
 *   <li>A lease is taken when absent, released, or expired. Expiry is judged on this process's own
 *       clock: the lease must have stayed unchanged for {@code leaseDuration} since this process
 *       first saw it that way, so clock skew between machines does not matter.
 *   <li>Every write is a compare-and-swap on the lease's revision: of two contenders one wins.
 *   <li>{@link #isLeader()} turns false as soon as a renewal loses the lease, and also, without any
 *       datastore answer, once {@code renewDeadline} has passed since the last successful renewal;
 *       that deadline is shorter than the lease duration, so a leader cut off from the store stops
 *       acting before anyone else may take over.
 * </ul>
 *
 * <p>Thread-safe: rounds are serialized; {@link #isLeader()} may be called from any thread.
 */
public final class LeaderElector {

  /**
   * @param name the lease's name (one per controller group)
   * @param identity this process's identity (host name and pid, say); unique per contender
   * @param leaseDuration how long a lease stays valid without renewal
   * @param renewDeadline how long a leader keeps acting without a successful renewal; less than
   *     {@code leaseDuration}
   * @param retryPeriod how often {@link #tryAcquireOrRenew()} should be called; less than {@code
   *     renewDeadline}
   */
  public record Config(
      String name,
      String identity,
      Duration leaseDuration,
      Duration renewDeadline,
      Duration retryPeriod) {
    public Config {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(identity, "identity");
      if (identity.isBlank()) throw new IllegalArgumentException("identity must not be blank");
      if (renewDeadline.compareTo(leaseDuration) >= 0) {
        throw new IllegalArgumentException(
            "renewDeadline "
                + renewDeadline
                + " must be shorter than leaseDuration "
                + leaseDuration);
      }
      if (retryPeriod.compareTo(renewDeadline) >= 0) {
        throw new IllegalArgumentException(
            "retryPeriod " + retryPeriod + " must be shorter than renewDeadline " + renewDeadline);
      }
    }

    /** kube-controllers' defaults: lease 15 s, renew deadline 10 s, retry every 2 s. */
    public static Config defaults(String name, String identity) {
      return new Config(
          name, identity, Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));
    }
  }

  private final LeaseStore store;
  private final Config config;
  private final Clock clock;

  private volatile Instant leadingUntil; // null when not leading
  private LeaseStore.Stored observed; // the lease as last read or written
  private Instant observedAt; // when `observed` last changed, on our clock
  private volatile Instant storeAnswered; // when a round last read the lease, null before

  public LeaderElector(LeaseStore store, Config config, Clock clock) {
    this.store = store;
    this.config = config;
    this.clock = clock;
  }

  public Config config() {
    return config;
  }

  /** The clock rounds and {@link #storeAnsweredAt} are on. */
  public Clock clock() {
    return clock;
  }

  /** Whether this process may act as leader now. */
  public boolean isLeader() {
    Instant until = leadingUntil;
    return until != null && clock.instant().isBefore(until);
  }

  /**
   * When a round last read the lease from the datastore (empty before the first read): how a health
   * check tells a reachable store from one that has stopped answering.
   */
  public Optional<Instant> storeAnsweredAt() {
    return Optional.ofNullable(storeAnswered);
  }

  /** The holder as last observed (empty before the first round or when released). */
  public synchronized Optional<String> observedHolder() {
    if (observed == null || observed.lease().holderIdentity().isEmpty()) return Optional.empty();
    return Optional.of(observed.lease().holderIdentity());
  }

  /**
   * One round: create the lease, renew ours, or take over an expired or released one. Datastore
   * failures do not escape: a lost compare-and-swap ends leadership at once; an unreachable store
   * leaves it to expire at the renew deadline.
   *
   * @return {@link #isLeader()} after the round
   */
  public synchronized boolean tryAcquireOrRenew() {
    Instant now = clock.instant();
    try {
      Optional<LeaseStore.Stored> current = store.read(config.name());
      storeAnswered = clock.instant(); // when it answered, not when the round began
      if (current.isEmpty()) {
        won(now, store.create(config.name(), fresh(now, 0)));
        return true;
      }
      observe(current.get(), now);
      Lease l = current.get().lease();
      if (config.identity().equals(l.holderIdentity())) {
        Lease renewed =
            new Lease(
                l.holderIdentity(),
                config.leaseDuration().toSeconds(),
                l.acquireTime(),
                now,
                l.leaseTransitions());
        won(now, store.update(config.name(), renewed, current.get().revision()));
        return true;
      }
      boolean free = l.holderIdentity() == null || l.holderIdentity().isEmpty();
      boolean expired = !now.isBefore(observedAt.plus(l.duration()));
      if (!free && !expired) {
        leadingUntil = null;
        return false;
      }
      int transitions = l.leaseTransitions() + 1;
      won(now, store.update(config.name(), fresh(now, transitions), current.get().revision()));
      return true;
    } catch (DatastoreException.Conflict
        | DatastoreException.AlreadyExists
        | DatastoreException.NotFound e) {
      // Someone else wrote the lease between our read and our write: they lead.
      leadingUntil = null;
      return false;
    } catch (DatastoreException | IllegalStateException e) {
      // Unreachable store or unreadable lease: keep what we have until the renew deadline.
      return isLeader();
    }
  }

  /**
   * Gives the lease up (on shutdown), so another contender takes over at its next round instead of
   * waiting for expiry. Does nothing when not holding it.
   */
  public synchronized void release() {
    boolean held = leadingUntil != null;
    leadingUntil = null;
    if (!held || observed == null) return;
    Lease l = observed.lease();
    if (!config.identity().equals(l.holderIdentity())) return;
    try {
      Instant now = clock.instant();
      store.update(
          config.name(),
          new Lease("", 1, l.acquireTime(), now, l.leaseTransitions()),
          observed.revision());
    } catch (DatastoreException | IllegalStateException e) {
      // It expires by itself.
    }
  }

  private Lease fresh(Instant now, int transitions) {
    return new Lease(config.identity(), config.leaseDuration().toSeconds(), now, now, transitions);
  }

  private void won(Instant now, LeaseStore.Stored written) {
    observed = written;
    observedAt = now;
    leadingUntil = now.plus(config.renewDeadline());
  }

  private void observe(LeaseStore.Stored s, Instant now) {
    if (observed == null || observed.revision() != s.revision()) {
      observed = s;
      observedAt = now;
    }
  }
}
