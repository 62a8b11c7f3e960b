package dev.netctl.ipam.gc;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the controller's probes answer, from two facts the election loop leaves behind.
 *
 * <ul>
 *   <li><b>Live</b>: the election loop finished a round within the window. The loop runs every
 *       retry period and each round is bounded by the store's timeouts, so a loop that has not
 *       finished one for a whole lease is wedged, and only a restart helps. A fresh process counts
 *       from its start.
 *   <li><b>Ready</b>: the datastore answered within the window. A standby that reaches the store is
 *       ready: it is what takes over. A process whose store stopped answering is alive but not
 *       ready, and restarting it would not bring the store back.
 * </ul>
 *
 * The window is the lease duration: beyond it a leader has lost its lease anyway.
 */
public final class ControllerHealth {
  private final Clock clock;
  private final Duration window;
  private final Supplier<Optional<Instant>> storeAnswered;
  private final Instant started;
  private volatile Instant lastRound;

  /**
   * @param window how old the last round and the store's last answer may be
   * @param storeAnswered when the store last answered (the elector's last read)
   */
  public ControllerHealth(Clock clock, Duration window, Supplier<Optional<Instant>> storeAnswered) {
    this.clock = clock;
    this.window = window;
    this.storeAnswered = storeAnswered;
    this.started = clock.instant();
  }

  /** The election loop finished a round (whatever its outcome). */
  public void roundDone() {
    lastRound = clock.instant();
  }

  public boolean live() {
    Instant last = lastRound;
    return recent(last != null ? last : started);
  }

  public boolean ready() {
    return storeAnswered.get().map(this::recent).orElse(false);
  }

  private boolean recent(Instant at) {
    return !clock.instant().isAfter(at.plus(window));
  }
}
