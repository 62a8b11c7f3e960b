package dev.netctl.ipam.gc;

import dev.netctl.datastore.lease.LeaderElector;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs leader election and the controllers on two threads: the elector renews every retry period
 * whatever the controllers do, so a long pass cannot cost the lease, and the controllers run a pass
 * every interval while this process leads (each release re-checks leadership).
 */
public final class ControllerRunner implements AutoCloseable {
  private final LeaderElector elector;
  private final GcController controller;
  private final ControllerMetrics metrics;
  private final Consumer<String> log;
  private final ScheduledExecutorService election =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "netctl-leader-election"));
  private final ScheduledExecutorService passes =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "netctl-controllers"));
  private volatile boolean wasLeading;

  private final Runnable others;
  private final ControllerHealth health;

  public ControllerRunner(
      LeaderElector elector,
      GcController controller,
      ControllerMetrics metrics,
      Consumer<String> log) {
    this(elector, controller, () -> {}, metrics, log);
  }

  /**
   * @param others further controllers run after the GC at each pass (they check leadership
   *     themselves)
   */
  public ControllerRunner(
      LeaderElector elector,
      GcController controller,
      Runnable others,
      ControllerMetrics metrics,
      Consumer<String> log) {
    this.elector = elector;
    this.controller = controller;
    this.others = others;
    this.metrics = metrics;
    this.log = log;
    this.health =
        new ControllerHealth(
            elector.clock(), healthWindow(elector.config()), elector::storeAnsweredAt);
  }

  /**
   * How old the last round and the store's last answer may be: a lease, or more when a round
   * against a store that does not answer (its two calls time out at half the renew deadline each)
   * plus the wait to the next round is longer.
   */
  static Duration healthWindow(LeaderElector.Config c) {
    Duration slowRound = c.renewDeadline().plus(c.retryPeriod());
    return c.leaseDuration().compareTo(slowRound) >= 0 ? c.leaseDuration() : slowRound;
  }

  /** What the probes answer: the election loop's rounds and the store's last answer. */
  public ControllerHealth health() {
    return health;
  }

  /** Starts both loops; {@code interval} is the time between controller passes. */
  public void start(Duration interval) {
    long retry = elector.config().retryPeriod().toMillis();
    election.scheduleWithFixedDelay(this::electionRound, 0, retry, TimeUnit.MILLISECONDS);
    passes.scheduleWithFixedDelay(this::pass, retry, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether this process leads now. */
  public boolean leading() {
    return elector.isLeader();
  }

  private void electionRound() {
    boolean now = elector.tryAcquireOrRenew();
    health.roundDone();
    metrics.leader(now);
    if (now != wasLeading) {
      log.accept(
          (now ? "became the leader" : "stopped leading")
              + " (lease \""
              + elector.config().name()
              + "\", identity \""
              + elector.config().identity()
              + "\")");
      wasLeading = now;
    }
  }

  private void pass() {
    try {
      controller.runPass();
    } catch (RuntimeException e) {
      // A pass that cannot read the store is retried at the next interval.
      log.accept("controller pass failed: " + e.getMessage());
    }
    try {
      others.run();
    } catch (RuntimeException e) {
      log.accept("controller pass failed: " + e.getMessage());
    }
  }

  /** Stops both loops and gives the lease up so a standby takes over at once. */
  @Override
  public void close() {
    passes.shutdownNow();
    election.shutdownNow();
    try {
      passes.awaitTermination(30, TimeUnit.SECONDS);
      election.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    elector.release();
    metrics.leader(false);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
