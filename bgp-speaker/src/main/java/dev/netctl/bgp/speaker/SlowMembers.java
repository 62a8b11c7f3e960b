package dev.netctl.bgp.speaker;

import dev.netctl.bgp.rib.Peer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Decides, before each drain of an update group, which members to split off and which to put back
 * (see {@link GroupWriter}): pure bookkeeping of how long each member has been full, with the clock
 * and the channels' state passed in, so it is tested without sockets.
 */
final class SlowMembers {
  /**
   * What one drain should do.
   *
   * @param back split-off members that can take data again: put them back
   * @param split members full for longer than the threshold: split them off
   * @param drain whether to drain now; if not, wait for a writability change and, when {@code
   *     recheckNanos} is positive, look again after that long
   * @param recheckNanos see {@code drain}
   */
  record Decision(List<Peer> back, List<Peer> split, boolean drain, long recheckNanos) {}

  private final long splitAfterNanos;
  // Members found full, and since when.
  private final Map<Peer, Long> fullSince = new HashMap<>();

  SlowMembers(Duration splitAfter) {
    this.splitAfterNanos = splitAfter.toNanos();
  }

  /**
   * @param roster the group's members
   * @param away the members split off
   * @param writable whether a member's channel can take data; null when it has no session
   * @param now the time, {@link System#nanoTime()}
   */
  Decision decide(List<Peer> roster, Set<Peer> away, Function<Peer, Boolean> writable, long now) {
    List<Peer> back = new ArrayList<>();
    List<Peer> full = new ArrayList<>();
    boolean anyWritable = false;
    for (Peer p : roster) {
      Boolean canWrite = writable.apply(p);
      if (canWrite == null) {
        fullSince.remove(p); // gone: the RIB removes it from the group
      } else if (away.contains(p)) {
        if (canWrite) {
          back.add(p);
          anyWritable = true;
        }
      } else if (canWrite) {
        anyWritable = true;
        if (!fullSince.isEmpty()) {
          fullSince.remove(p);
        }
      } else {
        full.add(p);
      }
    }
    if (full.isEmpty()) {
      return new Decision(back, List.of(), true, 0);
    }
    if (!anyWritable) {
      return new Decision(back, List.of(), false, 0); // nobody to split off for
    }
    long wait = Long.MAX_VALUE;
    for (Peer p : full) {
      long since = fullSince.computeIfAbsent(p, k -> now);
      wait = Math.min(wait, since + splitAfterNanos - now);
    }
    if (wait > 0) {
      return new Decision(back, List.of(), false, wait);
    }
    full.forEach(fullSince::remove);
    return new Decision(back, full, true, 0);
  }
}
