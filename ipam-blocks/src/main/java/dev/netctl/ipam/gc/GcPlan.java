package dev.netctl.ipam.gc;

import java.time.Instant;
import java.util.List;

/**
 * What one pass decided: what is due for release now and what is still within its grace period.
 *
 * @param dueNodes nodes without a Node resource, seen so for at least the grace period
 * @param dueHandles handles without their pod (or tunnel node), seen so for the grace period
 * @param waiting candidates still within their grace period
 */
public record GcPlan(List<Item> dueNodes, List<Item> dueHandles, List<Item> waiting) {

  /** The kinds of things the controllers release. */
  public enum Target {
    NODE,
    HANDLE
  }

  /**
   * One candidate.
   *
   * @param target a node or a handle
   * @param name its name
   * @param reason why it is a candidate, for the log
   * @param firstSeen the pass that first saw it orphaned
   * @param releaseAt when it becomes due
   * @param newlySeen whether this pass is the first to see it (it is reported once, then acted on)
   */
  public record Item(
      Target target,
      String name,
      String reason,
      Instant firstSeen,
      Instant releaseAt,
      boolean newlySeen) {}

  public GcPlan {
    dueNodes = List.copyOf(dueNodes);
    dueHandles = List.copyOf(dueHandles);
    waiting = List.copyOf(waiting);
  }
}
