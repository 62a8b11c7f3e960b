package dev.netctl.ipam.allocator;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link FaultHook} that kills the writer (throws) the first {@code times} times a step is hit.
 */
public final class CrashingHook implements FaultHook {

  /** What a killed writer throws. */
  public static final class WriterKilled extends RuntimeException {
    public WriterKilled(Step step) {
      super("writer killed at " + step);
    }
  }

  private final Step step;
  private final AtomicInteger remaining;

  public CrashingHook(Step step, int times) {
    this.step = step;
    this.remaining = new AtomicInteger(times);
  }

  @Override
  public void reached(Step s, String node) {
    if (s == step && remaining.getAndDecrement() > 0) throw new WriterKilled(s);
  }

  public boolean fired() {
    return remaining.get() <= 0;
  }
}
