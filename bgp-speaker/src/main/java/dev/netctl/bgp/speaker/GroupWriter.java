package dev.netctl.bgp.speaker;

import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.rib.Audience;
import dev.netctl.bgp.rib.OutboundUpdate;
import dev.netctl.bgp.rib.Peer;
import dev.netctl.bgp.rib.UpdateGroup;
import dev.netctl.bgp.session.GroupOutput;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one {@link UpdateGroup}'s output onto its members' channels, on the speaker's event loop:
 * each drained batch is encoded once, a portion of about {@link #PORTION} bytes at a time into one
 * buffer, and every member is written retained slices of it: the runs of consecutive UPDATEs its
 * audience includes.
 *
 * <p>Back-pressure: a batch is written a portion at a time, the next portion only once every member
 * can take data again, so no member is ever queued more than a portion past its write high-water
 * mark, and what it queues pins at most a few portion buffers (a whole batch of a table load is
 * tens of megabytes). While a member's channel is full the group waits, so changes keep coalescing
 * in it (a slow peer gets the latest state, not every flap). A member still full after {@link
 * #SPLIT_AFTER} while others can take data is split off the group ({@link UpdateGroup#detach})
 * instead of holding them back, as FRR's and BIRD's per-peer export effectively do: the rest of the
 * batch is noted in its backlog rather than queued ({@link UpdateGroup#missed}), and the group goes
 * on without it, noting only which prefixes it missed. Whenever its channel can take data (a
 * writability change schedules a drain), it catches up ({@link UpdateGroup#catchUp}): the current
 * state of what it missed comes a chunk at a time, each asked for once the previous one is written
 * and the channel is still writable; when a round leaves nothing missed, it is back on the shared
 * path. When every member is full there is no one to split off for, and the group just waits.
 *
 * <p>Moves: a member about to move to another group (its export policy or role changed) takes the
 * rest of a batch in progress with it, noted as missed for the new group to send as it exports
 * ({@link #moving}); it gets nothing more of the old group's batch.
 *
 * <p>Retirement: once the RIB retires the group (its last member left, see {@link
 * UpdateGroup#retired}), the next drain stops the writer for good: it unregisters from the group
 * and tells its owner, which forgets it. A group revived later (a peer joins through a kept
 * reference) gets a new writer; this one never drains again, so two writers never split one group's
 * output between them (each would write its batches to the same members, in either order). Revival
 * and this check both run on the loop (the speaker joins and moves peers there), so a group is
 * never revived between them.
 */
final class GroupWriter {
  private static final Logger LOG = LoggerFactory.getLogger(GroupWriter.class);

  /**
   * How long a full member may hold its group back before it is split off: long enough that a
   * reader pausing for a collection or a scheduling hiccup keeps the cheap shared path, short
   * against a fan-out's convergence (about half a second for a thousand clients here).
   */
  static final Duration SPLIT_AFTER = Duration.ofMillis(50);

  /**
   * Bytes of a batch encoded and written at a time: small against the 2 MiB write mark, so a member
   * that stops reading queues little past it; large enough that a fan-out of a thousand small
   * UPDATEs per member is one portion.
   */
  static final int PORTION = 256 * 1024;

  /** What {@code bgp peers} says of a member while it is split off. */
  static final String SPLIT_NOTICE = "not reading: split off its update group until it catches up";

  private final UpdateGroup group;
  private final EventLoop loop;
  private final Map<Peer, ? extends GroupOutput> sessions;
  private final Consumer<GroupWriter> stopped;
  // Set on the loop once the group was retired: nothing is drained any more.
  private boolean closed;
  // Touched on the loop only.
  private final SlowMembers slow = new SlowMembers(SPLIT_AFTER);
  private boolean recheckScheduled;
  // A drain is running, and one was asked for meanwhile (see drain).
  private boolean draining;
  private boolean again;
  // The batch being written (null when none), the index of its first message not written yet, the
  // members it goes to (the roster when it was drained) with each one's position, and those split
  // off while it was written, which get nothing more of it.
  private List<OutboundUpdate> batch;
  private int next;
  private List<Peer> batchRoster;
  private Map<Peer, Integer> index;
  private final Set<Peer> cut = new HashSet<>();

  GroupWriter(UpdateGroup group, EventLoop loop, Map<Peer, ? extends GroupOutput> sessions) {
    this(group, loop, sessions, w -> {});
  }

  /** As above; {@code stopped} is told (on the loop) when the writer stops with its group. */
  GroupWriter(
      UpdateGroup group,
      EventLoop loop,
      Map<Peer, ? extends GroupOutput> sessions,
      Consumer<GroupWriter> stopped) {
    this.group = group;
    this.loop = loop;
    this.sessions = sessions;
    this.stopped = stopped;
    group.onPending(this::schedule);
  }

  /** Whether the writer stopped because its group was retired; on the loop. */
  boolean closed() {
    return closed;
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

  /**
   * A member is about to move out of the group ({@link dev.netctl.bgp.rib.Rib#move}, its export
   * profile or role changed): the rest of the batch in progress, paused for a full member, is noted
   * as missed for it, and it gets nothing more of it; on the loop, before the move starts. Left to
   * the writer, that rest went wrong either way: resumed while the member was leaving (split off),
   * the batch sent it only what was addressed to it alone, and the rest, drained before it left,
   * was in no backlog, so the group it moved to never sent it (a withdrawal there left a stale
   * route); resumed after it left, the batch sent it the old group's output after the new group's
   * table (a route the new export policy rejects, announced again and kept). Noted, it is in what
   * the move hands the new group, which sends the current state of those prefixes as it exports
   * them.
   */
  void moving(Peer p) {
    if (closed || batch == null || cut.contains(p)) {
      return;
    }
    group.detach(p); // a member split off already keeps its backlog
    group.missed(p, batch.subList(next, batch.size()));
    cut.add(p);
  }

  /**
   * Writes on (the batch in progress, or a new one) if every member can take data; on the loop.
   *
   * <p>Not re-entered: Netty fires a member's writability change inside the {@code flush} that
   * emptied its channel, and the session listener asks for a drain right there, in the middle of
   * writing a portion. Run then, that drain wrote the portion again (the position only advances
   * after it) — a catch-up chunk twice, an older portion after newer ones to the members flushed
   * later —, finished the batch, and left the outer one to fail on the batch it had cleared. A
   * split-off member that had all it needed from the first copy of its last chunk and then read no
   * more kept the second copy queued above its low mark, so the writability change that puts it
   * back never came. A drain asked for meanwhile therefore runs after this one, as a task of its
   * own: the writability change it stands for is not lost.
   */
  void drain() {
    if (closed) {
      return;
    }
    if (group.retired()) {
      close();
      return;
    }
    if (draining) {
      again = true;
      return;
    }
    draining = true;
    try {
      drainNow();
    } finally {
      draining = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  }

  private void close() {
    closed = true;
    batch = null; // its members are gone
    group.onPending(() -> {});
    stopped.accept(this);
  }

  private void drainNow() {
    List<Peer> roster = group.roster();
    if (!split(roster)) {
      return; // resumed by a member's writability change, or by the recheck
    }
    if (batch == null) {
      // Always drain, even when nothing seems pending: drain() re-arms the group's signal, and a
      // signal raised while an earlier drain took the change would otherwise never fire again.
      List<OutboundUpdate> out = group.drain();
      if (out.isEmpty() || roster.isEmpty()) {
        paceCatchUps();
        return;
      }
      batch = out;
      next = 0;
      cut.clear();
      if (roster != batchRoster) {
        index = new HashMap<>();
        for (int i = 0; i < roster.size(); i++) {
          index.put(roster.get(i), i);
        }
        batchRoster = roster;
      }
    }
    while (next < batch.size()) {
      if (!writePortion()) {
        schedule(); // a member is full: split() waits for it, or splits it off
        return;
      }
    }
    batch = null;
    paceCatchUps();
    if (group.hasPending()) {
      schedule();
    }
  }

  /**
   * Encodes the next portion of the batch once and writes each member the runs addressed to it: a
   * split-off member only what is addressed to it alone (its catch-up). Returns whether every
   * member on the shared path can still take data.
   */
  private boolean writePortion() {
    List<Peer> roster = batchRoster;
    Set<Peer> away = group.detached();
    // Members by roster position; null for one whose session is gone (the RIB removes it from the
    // group shortly) and for one split off during this batch.
    GroupOutput[] targets = new GroupOutput[roster.size()];
    boolean[] alone = new boolean[roster.size()];
    for (int i = 0; i < targets.length; i++) {
      Peer p = roster.get(i);
      if (!cut.contains(p)) {
        targets[i] = sessions.get(p);
        alone[i] = away.contains(p);
      }
    }
    // With a thousand members and a thousand messages that is a few writes per member instead of
    // a million, and one copy of the portion, not one per member.
    int from = next;
    ByteBuf bytes = null;
    int n = from;
    int[] ends = new int[Math.min(batch.size() - from, 1 << 16)];
    int[] who =
        new int[ends.length]; // ALL, NOBODY, or the index of the member excepted / addressed
    boolean[] only = new boolean[ends.length];
    boolean open = true;
    Audience lastAudience = null;
    int lastWho = ALL;
    boolean lastOnly = false;
    ByteBuf staged = STAGING.get().clear();
    try {
      while (n < batch.size() && n - from < ends.length && staged.writerIndex() < PORTION) {
        OutboundUpdate u = batch.get(n);
        int j = n - from;
        // Encoded into a heap buffer first, the whole portion, then moved into a direct buffer of
        // its exact size: each write into a direct buffer (the marker, the attributes, the NLRI of
        // every UPDATE) would be a call costing more than the octets it moves, and a direct buffer
        // sized by a guess grew by reallocation and copy (a fifth of a churn's writing).
        BgpEncoder.encode(u.message(), group.profile().codec(), staged);
        ends[j] = staged.writerIndex();
        // Consecutive messages nearly always share one audience object (a group makes one per
        // source within a drain): looked up once per run, not a member's hash per message.
        Audience audience = u.audience();
        if (audience != lastAudience) {
          lastAudience = audience;
          lastOnly = audience instanceof Audience.Only;
          lastWho =
              switch (audience) {
                case Audience.All a -> ALL;
                case Audience.AllExcept e -> index.getOrDefault(e.excluded(), ALL);
                case Audience.Only o -> index.getOrDefault(o.peer(), NOBODY);
              };
        }
        who[j] = lastWho;
        only[j] = lastOnly;
        n++;
      }
      bytes = ByteBufAllocator.DEFAULT.directBuffer(Math.max(staged.readableBytes(), 1));
      bytes.writeBytes(staged);
      int count = n - from;
      for (int i = 0; i < targets.length; i++) {
        GroupOutput target = targets[i];
        if (target == null) {
          continue;
        }
        int runStart = -1;
        boolean touched = false;
        for (int j = 0; j <= count; j++) {
          boolean include = j < count && (only[j] ? who[j] == i : !alone[i] && who[j] != i);
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
        if (!alone[i] && !target.writable()) {
          open = false;
        }
      }
    } finally {
      if (bytes != null) {
        bytes.release();
      }
      if (staged.capacity() > STAGING_KEPT) {
        STAGING.remove(); // grown by an extended message: not kept for the thread's lifetime
      }
    }
    next = n;
    return open;
  }

  // The loop thread's staging buffer for writePortion: a portion and the UPDATE that ends it, for
  // which the encoder reserves up to three times the message size before it writes (BgpEncoder's
  // packed path: a bound from the prefix count). Kept at that size for the thread's lifetime; grown
  // past it by an extended message (RFC 8654, up to 64 KiB), it is dropped after the portion.
  private static final int STAGING_KEPT = PORTION + 3 * CodecContext.MAX_MESSAGE_SIZE;
  // A FastThreadLocal: an array index on the loop, no Reference.refersTo (see NlriCodec's).
  private static final FastThreadLocal<ByteBuf> STAGING =
      new FastThreadLocal<>() {
        @Override
        protected ByteBuf initialValue() {
          return Unpooled.buffer(STAGING_KEPT);
        }
      };

  /**
   * Has every split-off member that can take data go on catching up: the next chunk, or back on the
   * shared path when it missed nothing more.
   */
  private void paceCatchUps() {
    for (Peer p : group.detached()) {
      if (sessions.get(p) instanceof GroupOutput s && s.writable()) {
        resume(p);
      }
    }
  }

  private void resume(Peer p) {
    if (group.catchUp(p)) {
      LOG.info("{}: reading again and caught up, back in its update group", p);
      if (sessions.get(p) instanceof GroupOutput s) {
        s.clearNotice(SPLIT_NOTICE);
      }
    }
  }

  /**
   * Has split-off members that can take data again go on catching up, and splits off those full for
   * longer than {@link #SPLIT_AFTER} (see {@link SlowMembers}), noting for them what of the batch
   * in progress they did not get. Returns false when the group should wait instead.
   */
  private boolean split(List<Peer> roster) {
    SlowMembers.Decision d =
        slow.decide(
            roster,
            group.detached(),
            p -> sessions.get(p) instanceof GroupOutput s ? s.writable() : null,
            p -> sessions.get(p) instanceof GroupOutput s ? s.pendingBytes() : 0,
            System.nanoTime());
    for (Peer p : d.back()) {
      resume(p);
    }
    if (!d.drain()) {
      if (d.recheckNanos() > 0) {
        recheckIn(d.recheckNanos());
      }
      return false;
    }
    for (Peer p : d.split()) {
      group.detach(p);
      if (batch != null) {
        group.missed(p, batch.subList(next, batch.size()));
        cut.add(p);
      }
      if (sessions.get(p) instanceof GroupOutput s) {
        s.notice(SPLIT_NOTICE);
      }
      LOG.info(
          "{}: not reading for {} ms, split off its update group until it catches up",
          p,
          SPLIT_AFTER.toMillis());
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
