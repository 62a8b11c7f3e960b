package dev.netctl.ipam.gc;

import dev.netctl.ipam.gc.GcPlan.Item;
import dev.netctl.ipam.gc.GcPlan.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, from successive {@link ClusterSnapshot}s, what the node controller and IPAM GC release.
 * Pure: no I/O, time passed in.
 *
 * <p>The rule is "report first, then act": a candidate becomes due only when two passes at least
 * {@code grace} apart both saw it orphaned, and it was orphaned in every pass between (one pass
 * that sees it owned again resets it). The grace covers the windows in which orphaned-looking state
 * is normal: the CNI plugin assigns a pod's address before its WorkloadEndpoint exists, and a
 * node's agent may claim blocks just before its Node resource appears.
 *
 * <p>Memory is per process: a new leader starts with none and so waits a full grace period before
 * its first release.
 */
final class GcPlanner {
  private final Duration grace;
  private Map<String, Instant> firstSeen = new HashMap<>();

  GcPlanner(Duration grace) {
    if (grace.isNegative()) throw new IllegalArgumentException("grace must not be negative");
    this.grace = grace;
  }

  GcPlan plan(ClusterSnapshot s, Instant now) {
    Map<String, Instant> next = new HashMap<>();
    List<Item> dueNodes = new ArrayList<>();
    List<Item> dueHandles = new ArrayList<>();
    List<Item> waiting = new ArrayList<>();
    for (String node : s.nodesWithState()) {
      if (s.liveNodes().contains(node)) continue;
      String reason = "no " + s.liveness() + " \"" + node + "\"";
      track(Target.NODE, node, reason, now, next, dueNodes, waiting);
    }
    for (String h : s.handles()) {
      String reason =
          switch (HandleOwner.of(h)) {
            case HandleOwner.Pod p ->
                s.liveContainerIds().contains(p.containerId())
                    ? null
                    : "no pod with container ID " + p.containerId();
            case HandleOwner.Tunnel t ->
                s.liveNodes().contains(t.node())
                    ? null
                    : "no " + s.liveness() + " \"" + t.node() + "\"";
            case HandleOwner.Unknown u -> null;
          };
      if (reason != null) track(Target.HANDLE, h, reason, now, next, dueHandles, waiting);
    }
    firstSeen = next;
    return new GcPlan(dueNodes, dueHandles, waiting);
  }

  private void track(
      Target target,
      String name,
      String reason,
      Instant now,
      Map<String, Instant> next,
      List<Item> due,
      List<Item> waiting) {
    String key = target + "/" + name;
    Instant first = firstSeen.get(key);
    boolean newly = first == null;
    if (newly) first = now;
    next.put(key, first);
    Instant releaseAt = first.plus(grace);
    Item item = new Item(target, name, reason, first, releaseAt, newly);
    // A first sighting is never due, even with a zero grace: it is reported before it is acted on.
    if (!newly && !now.isBefore(releaseAt)) due.add(item);
    else waiting.add(item);
  }
}
