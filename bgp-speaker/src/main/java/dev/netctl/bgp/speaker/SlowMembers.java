package dev.netctl.bgp.speaker;

import dev.netctl.bgp.rib.Peer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Decides, before each drain of an update group, which members to split off and which to put back
 * (see {@link GroupWriter}): pure bookkeeping of how long each member has been full, with the clock
 * and the channels' state passed in, so it is tested without sockets.
 *
 * <p>A full member is split off once it has made no progress (its queued bytes did not go down) for
 * the threshold, or has been the only full member for {@link #BEHIND_FACTOR} times that even while
 * draining. Members that read, only more slowly than the group writes for a while (a table load
 * outpaces every reader; a busy machine), thus keep the cheap shared path; one that stops reading
 * goes after the threshold, and one much slower than all the others after a second.
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

  /** How many thresholds a member that still drains may hold its group back alone. */
  static final int BEHIND_FACTOR = 20;

  private final long splitAfterNanos;

  // A member found full: since when it has been the only full one (NOT_ALONE when others are full
  // too), when it last made progress, and its queued bytes then.
  private static final class Full {
    long aloneSince;
    long progressAt;
    long pending;

    Full(long now, long pending) {
      this.aloneSince = NOT_ALONE;
      this.progressAt = now;
      this.pending = pending;
    }
  }

  private static final long NOT_ALONE = Long.MIN_VALUE;

  private final Map<Peer, Full> fullSince = new HashMap<>();

  SlowMembers(Duration splitAfter) {
    this.splitAfterNanos = splitAfter.toNanos();
  }

  /** As {@link #decide(List, Set, Function, ToLongFunction, long)} with no progress ever seen. */
  Decision decide(List<Peer> roster, Set<Peer> away, Function<Peer, Boolean> writable, long now) {
    return decide(roster, away, writable, p -> 0, now);
  }

  /**
   * @param roster the group's members
   * @param away the members split off
   * @param writable whether a member's channel can take data; null when it has no session
   * @param pending the bytes queued for a member and not yet taken by its socket
   * @param now the time, {@link System#nanoTime()}
   */
  Decision decide(
      List<Peer> roster,
      Set<Peer> away,
      Function<Peer, Boolean> writable,
      ToLongFunction<Peer> pending,
      long now) {
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
    List<Peer> split = new ArrayList<>();
    for (Peer p : full) {
      long queued = pending.applyAsLong(p);
      Full f = fullSince.get(p);
      if (f == null) {
        f = new Full(now, queued);
        fullSince.put(p, f);
      } else if (queued < f.pending) {
        f.progressAt = now;
        f.pending = queued;
      }
      if (full.size() > 1) {
        f.aloneSince = NOT_ALONE;
      } else if (f.aloneSince == NOT_ALONE) {
        f.aloneSince = now;
      }
      long due = f.progressAt + splitAfterNanos - now;
      if (f.aloneSince != NOT_ALONE) {
        due = Math.min(due, f.aloneSince + BEHIND_FACTOR * splitAfterNanos - now);
      }
      if (due <= 0) {
        split.add(p);
      } else {
        wait = Math.min(wait, due);
      }
    }
    if (split.isEmpty()) {
      return new Decision(back, List.of(), false, wait);
    }
    split.forEach(fullSince::remove);
    return new Decision(back, split, true, 0);
  }
}
