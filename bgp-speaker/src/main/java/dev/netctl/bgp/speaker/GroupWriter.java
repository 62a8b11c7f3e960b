package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.rib.Audience;
import dev.netctl.bgp.rib.OutboundUpdate;
import dev.netctl.bgp.rib.Peer;
import dev.netctl.bgp.rib.UpdateGroup;
import dev.netctl.bgp.session.PeerSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one {@link UpdateGroup}'s output onto its members' channels, on the speaker's event loop:
 * each drained batch is encoded once into one buffer, and every member is written retained slices
 * of it: the runs of consecutive UPDATEs its audience includes.
 *
 * <p>Back-pressure: while a member's channel is full (above its write high-water mark) the group
 * waits, so changes keep coalescing in it (a slow peer gets the latest state, not every flap). A
 * member still full after {@link #SPLIT_AFTER} while others can take data is split off the group
 * ({@link UpdateGroup#detach}) instead of holding them back, as FRR's and BIRD's per-peer export
 * effectively do: the group goes on without it, noting only which prefixes it missed. When its
 * channel drains (a writability change schedules a drain), it is put back ({@link
 * UpdateGroup#reattach}) and receives the current state of those prefixes before later changes.
 * When every member is full there is no one to split off for, and the group just waits.
 */
final class GroupWriter {
  private static final Logger LOG = LoggerFactory.getLogger(GroupWriter.class);

  /**
   * How long a full member may hold its group back before it is split off: long enough that a
   * reader pausing for a collection or a scheduling hiccup keeps the cheap shared path, short
   * against a fan-out's convergence (about half a second for a thousand clients here).
   */
  static final Duration SPLIT_AFTER = Duration.ofMillis(50);

  /** What {@code bgp peers} says of a member while it is split off. */
  static final String SPLIT_NOTICE = "not reading: split off its update group until it catches up";

  private final UpdateGroup group;
  private final EventLoop loop;
  private final Map<Peer, PeerSession> sessions;
  // The roster the index was built from, and each member's position in it.
  private List<Peer> indexed;
  private Map<Peer, Integer> index;
  // Touched on the loop only.
  private final SlowMembers slow = new SlowMembers(SPLIT_AFTER);
  private boolean recheckScheduled;

  GroupWriter(UpdateGroup group, EventLoop loop, Map<Peer, PeerSession> sessions) {
    this.group = group;
    this.loop = loop;
    this.sessions = sessions;
    group.onPending(this::schedule);
  }

  UpdateGroup group() {
    return group;
  }

  /** Schedules a drain on the loop; safe from any thread (RIB shards call it). */
  void schedule() {
    try {
      loop.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // The speaker is closing: nothing is written any more.
    }
  }

  /** Drains now if every member can take data; runs on the loop. */
  void drain() {
    List<Peer> roster = group.roster();
    if (roster != indexed) {
      index = new HashMap<>();
      for (int i = 0; i < roster.size(); i++) {
        index.put(roster.get(i), i);
      }
      indexed = roster;
    }
    // Members by roster position; null for one whose session is already gone (the RIB removes
    // it from the group shortly) and for one split off.
    PeerSession[] targets = new PeerSession[roster.size()];
    if (!split(roster, targets)) {
      return; // resumed by a member's writability change, or by the recheck
    }
    // Always drain, even when nothing seems pending: drain() re-arms the group's signal, and a
    // signal raised while an earlier drain took the change would otherwise never fire again.
    List<OutboundUpdate> out = group.drain();
    if (out.isEmpty() || targets.length == 0) {
      return;
    }
    // Encode the whole batch once into one buffer; each member then gets retained slices of the
    // runs of consecutive messages addressed to it. With a thousand members and a thousand
    // messages that is a few writes per member instead of a million, and no copy at all.
    int n = out.size();
    int[] ends = new int[n];
    int[] who = new int[n]; // ALL, NOBODY, or the index of the member excepted / addressed
    boolean[] only = new boolean[n];
    ByteBuf bytes = ByteBufAllocator.DEFAULT.directBuffer(n * 64);
    try {
      for (int j = 0; j < n; j++) {
        OutboundUpdate u = out.get(j);
        BgpEncoder.encode(u.message(), group.profile().codec(), bytes);
        ends[j] = bytes.writerIndex();
        switch (u.audience()) {
          case Audience.All a -> who[j] = ALL;
          case Audience.AllExcept e -> who[j] = index.getOrDefault(e.excluded(), ALL);
          case Audience.Only o -> {
            who[j] = index.getOrDefault(o.peer(), NOBODY);
            only[j] = true;
          }
        }
      }
      for (int i = 0; i < targets.length; i++) {
        PeerSession target = targets[i];
        if (target == null) {
          continue;
        }
        int runStart = -1;
        boolean touched = false;
        for (int j = 0; j <= n; j++) {
          boolean include = j < n && (only[j] ? who[j] == i : who[j] != i);
          if (include && runStart < 0) {
            runStart = j == 0 ? 0 : ends[j - 1];
          } else if (!include && runStart >= 0) {
            int end = ends[j - 1];
            target.writeEncoded(bytes.retainedSlice(runStart, end - runStart));
            touched = true;
            runStart = -1;
          }
        }
        if (touched) {
          target.flush();
        }
      }
    } finally {
      bytes.release();
    }
  }

  /**
   * Fills {@code targets} with the members to write to, putting back split-off members that can
   * take data again and splitting off those full for longer than {@link #SPLIT_AFTER} (see {@link
   * SlowMembers}). Returns false when the group should wait instead.
   */
  private boolean split(List<Peer> roster, PeerSession[] targets) {
    SlowMembers.Decision d =
        slow.decide(
            roster,
            group.detached(),
            p -> sessions.get(p) instanceof PeerSession s ? s.writable() : null,
            System.nanoTime());
    for (Peer p : d.back()) {
      // Back on the shared path; the RIB sends it what it missed first. A member moving to
      // another group stays out.
      if (group.reattach(p)) {
        LOG.info("{}: reading again, back in its update group", p);
        if (sessions.get(p) instanceof PeerSession s) {
          s.clearNotice(SPLIT_NOTICE);
        }
      }
    }
    if (!d.drain()) {
      if (d.recheckNanos() > 0) {
        recheckIn(d.recheckNanos());
      }
      return false;
    }
    for (Peer p : d.split()) {
      group.detach(p);
      if (sessions.get(p) instanceof PeerSession s) {
        s.notice(SPLIT_NOTICE);
      }
      LOG.info(
          "{}: not reading for {} ms, split off its update group until it catches up",
          p,
          SPLIT_AFTER.toMillis());
    }
    Set<Peer> away = group.detached();
    for (int i = 0; i < targets.length; i++) {
      Peer p = roster.get(i);
      PeerSession s = sessions.get(p);
      targets[i] = s != null && s.writable() && !away.contains(p) ? s : null;
    }
    return true;
  }

  private void recheckIn(long nanos) {
    if (recheckScheduled) {
      return;
    }
    recheckScheduled = true;
    try {
      loop.schedule(
          () -> {
            recheckScheduled = false;
            drain();
          },
          nanos,
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // The speaker is closing.
    }
  }

  // Member index meaning "no member is excepted" / "not a current member".
  private static final int ALL = -1;
  private static final int NOBODY = -2;
}
