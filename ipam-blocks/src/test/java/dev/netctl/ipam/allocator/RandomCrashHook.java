package dev.netctl.ipam.allocator;

import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** Kills the writer at the given steps with a fixed probability, from a seeded generator. */
final class RandomCrashHook implements FaultHook {
  private final Set<Step> steps;
  private final double probability;
  private final SplittableRandom random;
  final AtomicInteger kills = new AtomicInteger();

  RandomCrashHook(Set<Step> steps, double probability, long seed) {
    this.steps = steps;
    this.probability = probability;
    this.random = new SplittableRandom(seed);
  }

  @Override
  public void reached(Step step, String node) {
    if (!steps.contains(step)) return;
    boolean die;
    synchronized (random) {
      die = random.nextDouble() < probability;
    }
    if (die) {
      kills.incrementAndGet();
      throw new CrashingHook.WriterKilled(step);
    }
  }
}
