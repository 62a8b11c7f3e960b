package dev.netctl.bgp.session;

/**
 * When the hold timer (RFC 4271 §4.4, §8.2.2) expires, kept as a deadline rather than as a
 * scheduled task restarted per message: every KEEPALIVE and UPDATE received restarts the timer, and
 * cancelling and rescheduling a task for each of a churn's thousand UPDATEs (a priority queue
 * removal and insertion, a task and a lambda each) was event-loop work for nothing. Here a restart
 * only moves the deadline; the one task scheduled fires at the earliest deadline it could have, and
 * then either expires the timer or asks to be scheduled again for the time left (as BIRD and GoBGP
 * keep the last time a message arrived and check it when their timer fires). Times are {@link
 * System#nanoTime} values; pure, so it is tested without waiting.
 */
final class HoldDeadline {
  // Whether the timer runs at all, the deadline, and when the task scheduled for it fires (at or
  // before the deadline while running).
  private boolean running;
  private long deadline;
  private long taskAt;

  /**
   * Restarts the timer at {@code now} for {@code nanos}. Returns whether a task must be scheduled
   * for {@code nanos} (and any earlier one cancelled): when none is pending, or the pending one
   * fires after the new deadline (a shorter hold time than before, e.g. the negotiated one after
   * the large one of OpenSent).
   */
  boolean restart(long now, long nanos) {
    long next = now + nanos;
    boolean schedule = !running || next - taskAt < 0;
    running = true;
    deadline = next;
    if (schedule) {
      taskAt = next;
    }
    return schedule;
  }

  /** Stops the timer: a task still pending does nothing when it fires. */
  void stop() {
    running = false;
  }

  /** Whether the timer runs. */
  boolean running() {
    return running;
  }

  /**
   * The scheduled task fired at {@code now}: returns 0 when the timer expired (it then no longer
   * runs), else the nanoseconds left until the deadline, for which a new task must be scheduled.
   * Only called while running.
   */
  long fired(long now) {
    long left = deadline - now;
    if (left <= 0) {
      running = false;
      return 0;
    }
    taskAt = deadline;
    return left;
  }
}
