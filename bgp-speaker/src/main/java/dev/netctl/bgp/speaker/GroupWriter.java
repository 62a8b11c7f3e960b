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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * Moves one {@link UpdateGroup}'s output onto its members' channels, on the speaker's event loop:
 * each drained batch is encoded once into one buffer, and every member is written retained slices
 * of it: the runs of consecutive UPDATEs its audience includes.
 *
 * <p>Back-pressure: while any member's channel is full the group is not drained, so changes keep
 * coalescing in the group (a slow peer gets the latest state, not every flap) and memory stays
 * bounded; a member's writability change schedules the drain again. One slow member thus holds back
 * its whole group, the usual price of update groups.
 */
final class GroupWriter {
  private final UpdateGroup group;
  private final EventLoop loop;
  private final Map<Peer, PeerSession> sessions;
  // The roster the index was built from, and each member's position in it.
  private List<Peer> indexed;
  private Map<Peer, Integer> index;

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
    // it from the group shortly).
    PeerSession[] targets = new PeerSession[roster.size()];
    for (int i = 0; i < targets.length; i++) {
      PeerSession s = sessions.get(roster.get(i));
      if (s != null && !s.writable()) {
        return; // resumed by the member's writability change
      }
      targets[i] = s;
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

  // Member index meaning "no member is excepted" / "not a current member".
  private static final int ALL = -1;
  private static final int NOBODY = -2;
}
