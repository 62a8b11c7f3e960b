package dev.netctl.ipam.allocator;

/**
 * Called at each {@link Step}. Throwing from it models a writer that dies right there: the
 * allocator does no clean-up, so whatever it has written stays for a later claim or {@code check}
 * to resolve. Production uses {@link #NONE}.
 */
@FunctionalInterface
public interface FaultHook {
  FaultHook NONE = (step, node) -> {};

  /**
   * @param step the point just reached
   * @param node the node the writer acts for
   */
  void reached(Step step, String node);
}
