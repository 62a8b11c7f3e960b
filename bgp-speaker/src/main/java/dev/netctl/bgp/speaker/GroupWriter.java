package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.rib.OutboundUpdate;
import dev.netctl.bgp.rib.Peer;
import dev.netctl.bgp.rib.UpdateGroup;
import dev.netctl.bgp.session.PeerSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * Moves one {@link UpdateGroup}'s output onto its members' channels, on the speaker's event loop:
 * each UPDATE is encoded once and the same bytes (retained duplicates) are written to every member
 * its audience includes.
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
    List<PeerSession> targets = new ArrayList<>();
    List<Peer> members = new ArrayList<>();
    for (Peer m : group.members()) {
      PeerSession s = sessions.get(m);
      if (s == null) {
        continue; // going down: the RIB removes it from the group shortly
      }
      if (!s.writable()) {
        return; // resumed by the member's writability change
      }
      members.add(m);
      targets.add(s);
    }
    // Always drain, even when nothing seems pending: drain() re-arms the group's signal, and a
    // signal raised while an earlier drain took the change would otherwise never fire again.
    List<OutboundUpdate> out = group.drain();
    boolean[] touched = new boolean[targets.size()];
    for (OutboundUpdate u : out) {
      ByteBuf bytes = ByteBufAllocator.DEFAULT.buffer();
      try {
        BgpEncoder.encode(u.message(), group.profile().codec(), bytes);
        for (int i = 0; i < targets.size(); i++) {
          if (u.audience().includes(members.get(i))) {
            targets.get(i).writeEncoded(bytes.retainedDuplicate());
            touched[i] = true;
          }
        }
      } finally {
        bytes.release();
      }
    }
    for (int i = 0; i < targets.size(); i++) {
      if (touched[i]) {
        targets.get(i).flush();
      }
    }
  }
}
