package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Ipv4NlriList;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Adj-RIB-Out shared by peers with the same {@link OutboundProfile}: RIB shards compute each
 * change's outbound attributes once per group and leave it here; the session layer drains packed
 * UPDATEs and writes each one (encoded once) to every member its {@link Audience} includes. A
 * thousand route-reflector clients thus cost one export computation and one encode per change.
 *
 * <p><b>Hand-off.</b> Shards publish into tables keyed by prefix and path id: a newer change to the
 * same key replaces an undrained older one, so a slow peer receives the latest state rather than
 * every flap, and memory is bounded by the number of distinct changed prefixes. The tables are
 * striped by prefix, each behind its own monitor held for one table probe; {@link #drain} swaps
 * each stripe's table for an empty one (the one it drained last time, cleared) and reads the full
 * one outside the monitor, so it never removes entries one by one and never stops the shards for
 * longer than a swap. {@link #drain} is serialized per group only.
 *
 * <p><b>Split horizon.</b> A route is never sent back to the member it came from. Rather than a
 * group per source peer, such a route is addressed {@link Audience.AllExcept} its source, and
 * without ADD-PATH the source gets an {@link Audience.Only} withdrawal of the prefix (it may hold
 * our previous best, which is no longer valid; withdrawing an unknown prefix is harmless).
 *
 * <p><b>Joining.</b> {@link Rib#join} adds a member and has every shard put a snapshot of its part
 * of the table here; {@link #drain} returns those snapshot messages (audience {@link
 * Audience.Only}) before the pending changes it took, and after the last part an End-of-RIB per
 * family (RFC 4724 §2), exactly once per join. {@link Rib#refresh} dumps one family again the same
 * way, framed by Begin/End-of-Route-Refresh markers with enhanced route refresh (RFC 7313 §4).
 * Because each shard publishes its snapshot before any later change, and a drain emits snapshots
 * first, a member never sees an older state after a newer one.
 *
 * <p><b>Slow members.</b> A member whose channel backs up would hold back every other member, so
 * the writer may {@link #detach} it: drains then leave it out, and note in its {@link Backlog} the
 * keys of what they emitted that it was due (and the markers of table dumps addressed to it); past
 * a cap the backlog keeps only withdrawals and the catch-up walks the whole table. When it can take
 * data, the writer has it {@link #catchUp}: the RIB sends it the current state of those keys
 * (withdrawals for what is gone), a chunk at a time (see {@link CatchUp}), each chunk, like any
 * table dump, before later changes, while a fresh backlog notes what changes meanwhile; once a
 * round leaves nothing missed it is back on the synchronous path. It never sees the intermediate
 * states, and its memory is bounded by the cap and the prefixes withdrawn.
 *
 * <p><b>Retirement.</b> When its last member leaves, the RIB retires the group ({@link #retired}):
 * the shards stop publishing to it and it drops what it holds; a member joining (or moving in)
 * later revives it, dropping whatever a shard offered meanwhile. {@link UpdateGroups} has the
 * ordering argument.
 *
 * <p><b>Session contract.</b> Register a listener with {@link #onPending}; when it fires, schedule
 * {@link #drain} on the thread that writes to the members (it must not block the caller: it runs on
 * a RIB shard). For each returned message, in order, send it to every current member the audience
 * includes that is not {@linkplain #detached() detached}, and to a detached member only what is
 * addressed to it alone ({@link Audience.Only}: its catch-up).
 */
public final class UpdateGroup {
  private record OutKey(Prefix prefix, int pathId) {
    // Written out: the generated one is a method-handle chain C1 cannot inline (once per route).
    @Override
    public int hashCode() {
      return 31 * prefix.hashCode() + pathId;
    }
  }

  // A pending change (attributes null = withdraw) from source, and what the members held before
  // the first of the changes coalesced into it: an advertisement (held by every member but
  // sentFrom, its source; null = unknown source) or nothing. Without ADD-PATH that decides who
  // needs a withdrawal; kept from the oldest undrained change.
  private record OutRoute(AttributeSet attributes, Peer source, boolean sent, Peer sentFrom) {}

  private record SyncPart(TableSync sync, List<UpdatePacker.Entry> entries) {}

  // Audiences of one drain (see allExcept); touched only inside drain, which is synchronized.
  private final Map<Peer, Audience> excepts = new HashMap<>();
  private Peer exceptPeer;
  private Audience exceptAudience;

  private final OutboundProfile profile;
  private final UpdatePacker packer;
  // Looked up once: every IPv4 change of a drain asks (a set lookup per prefix otherwise).
  private final boolean v4AddPath;

  /**
   * One stripe of undrained changes; guarded by its own monitor, except {@code spare}.
   *
   * <p>An IPv4 change without a path id (nearly all of them) costs no object: its table slot holds
   * the source peer as value and the attributes (null = withdraw) as companion, as long as nothing
   * was advertised before it; otherwise the value is an {@link OutRoute}. A load of a million
   * prefixes thus leaves nothing per pending change for young collections to copy.
   */
  private static final class Stripe {
    PendingTable plain = new PendingTable();
    // Changes with a path id, IPv6 changes, and changes without a source.
    Map<OutKey, OutRoute> others = new HashMap<>();
    // An empty table for the next swap, touched only by drain (serialized per group): a drained
    // table is cleared and comes back as the spare, so a burst does not allocate and grow a new
    // table per drain.
    PendingTable spare = new PendingTable();

    // The last pending value made: consecutive prefixes of one UPDATE share source, attributes
    // and what was sent before, so a withdrawal of ten thousand prefixes makes one, not one each.
    private OutRoute last;

    OutRoute outRoute(AttributeSet attributes, Peer source, boolean sent, Peer sentFrom) {
      OutRoute r = last;
      if (r == null
          || r.attributes() != attributes
          || r.source() != source
          || r.sent() != sent
          || r.sentFrom() != sentFrom) {
        r = new OutRoute(attributes, source, sent, sentFrom);
        last = r;
      }
      return r;
    }

    boolean isEmpty() {
      return plain.size() == 0 && others.isEmpty();
    }
  }

  // A power of two, more than the shards on a small box, so two shards seldom share one.
  private static final int STRIPES = 8;

  private final Set<Peer> members = ConcurrentHashMap.newKeySet();
  private final AtomicInteger membership = new AtomicInteger();
  private volatile Roster roster = new Roster(0, List.of());
  private final Stripe[] stripes = new Stripe[STRIPES];
  private final ConcurrentLinkedQueue<SyncPart> syncParts = new ConcurrentLinkedQueue<>();
  // The join's token per member: dumps (the initial one, refreshes) of an earlier join of the same
  // peer (a session that flapped) are recognized and dropped.
  private final ConcurrentHashMap<Peer, Object> joins = new ConcurrentHashMap<>();
  private final AtomicBoolean signalled = new AtomicBoolean();
  private volatile Runnable listener = () -> {};
  // Left without members and no longer published to (see UpdateGroups); changed under the monitor.
  private volatile boolean retired;

  /** How a group asks the RIB for the current state of what a member missed. */
  interface Resync extends CatchUp.Sharding {
    /**
     * Has every shard publish, through {@link #addSyncPart} with {@code sync}, its next chunk of
     * {@code round} (see {@link RibShard#catchUp}).
     */
    void chunk(UpdateGroup group, CatchUp round, TableSync sync);
  }

  private final Resync resync;
  // Routes whose attributes do not fit this group's message size: never sent (see WithheldRoutes).
  private final WithheldRoutes withheld = new WithheldRoutes();
  // Initial tables whose parts are not all taken yet: each change offered meanwhile is noted in
  // them (see RibShard.snapshot). Copy on write: read once per change offered.
  private final AtomicReference<TableSync[]> joining = new AtomicReference<>(new TableSync[0]);
  // Members split off, with what they missed; changed only inside the serialized methods.
  private final Map<Peer, Backlog> detached = new ConcurrentHashMap<>();
  // The backlogs a drain notes changes into (see record); touched only inside drain.
  private Peer[] behind = new Peer[0];
  private Backlog[] behindLogs = new Backlog[0];
  // Members moving out because their reflector-client role changed (see leave): the RIB's new key
  // for the session, under which the shards publish its paths once re-keyed, mapped to the key it
  // is a member by here. Touched only inside the serialized methods.
  private final Map<Peer, Peer> renamedMembers = new HashMap<>();
  // Keys a split-off member's backlog notes before it goes whole (see Backlog).
  private int backlogCap = Backlog.DEFAULT_CAP;
  // Keys each shard sends per chunk of a split-off member's catch-up (see CatchUp).
  private int catchUpChunk = CatchUp.CHUNK;

  UpdateGroup(OutboundProfile profile, Resync resync) {
    this.profile = profile;
    this.resync = resync;
    this.packer = new UpdatePacker(profile.codec());
    this.v4AddPath = profile.addPath(AddressFamily.IPV4_UNICAST);
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Stripe();
    }
  }

  /** The profile every member shares. */
  public OutboundProfile profile() {
    return profile;
  }

  /** The current members. */
  public Set<Peer> members() {
    return Set.copyOf(members);
  }

  private record Roster(int version, List<Peer> members) {}

  /**
   * The current members as a list that stays the same object until the membership changes, so a
   * writer draining often can keep what it derived from it (a member index) instead of rebuilding
   * it for every drain.
   */
  public List<Peer> roster() {
    Roster r = roster;
    int v = membership.get();
    if (r.version() != v) {
      // Read the version before copying: a change during the copy makes the next call rebuild.
      r = new Roster(v, List.copyOf(members));
      roster = r;
    }
    return r.members();
  }

  /** Whether the group has any member. */
  public boolean hasMembers() {
    return !members.isEmpty();
  }

  /**
   * Whether the RIB retired the group: it was left without members, the shards no longer publish to
   * it, and it holds nothing. A join (or a member moving in) revives it; until then its writer has
   * nothing to do.
   */
  public boolean retired() {
    return retired;
  }

  /**
   * Retires the group if it has no members, dropping what it holds (no one is left to send it to);
   * returns whether it did. Called by {@link UpdateGroups} under its lock, which admitting a member
   * takes too.
   */
  synchronized boolean retireIfEmpty() {
    if (retired || !members.isEmpty()) {
      return false;
    }
    retired = true;
    dropPending();
    return true;
  }

  /** Runs the listener once, outside any schedule: its writer looks at the group again. */
  void wake() {
    listener.run();
  }

  /**
   * Forgets every pending change and table dump. On retirement that frees the tables; on revival it
   * removes changes that may be older than the Loc-RIB (see {@link UpdateGroups}). Under the
   * monitor, so no drain is in progress; the spare tables are touched only by drains.
   */
  private void dropPending() {
    for (Stripe stripe : stripes) {
      synchronized (stripe) {
        stripe.plain = new PendingTable();
        stripe.others = new HashMap<>();
        stripe.last = null;
      }
      stripe.spare = new PendingTable();
    }
    syncParts.clear();
    excepts.clear();
    exceptPeer = null;
    exceptAudience = null;
    behind = new Peer[0];
    behindLogs = new Backlog[0];
    withheld.clear();
    joining.set(new TableSync[0]);
  }

  /**
   * The routes withheld from the members as too large for one UPDATE (see {@link WithheldRoutes}).
   */
  public WithheldRoutes withheld() {
    return withheld;
  }

  /** Whether {@code peer} is a member. */
  public boolean isMember(Peer peer) {
    return members.contains(peer);
  }

  /**
   * Sets the callback run (on a RIB shard thread) when the group goes from nothing to drain to
   * something to drain, and once when it is retired (on the thread that removed its last member):
   * the writer then finds it {@link #retired}. It must only schedule a drain, never run one inline.
   */
  public void onPending(Runnable listener) {
    this.listener = listener;
    // A signal raised before registration went to the previous listener: re-arm and re-check so
    // it is not lost (at worst the new listener schedules one extra, empty drain).
    signalled.set(false);
    if (hasPending()) {
      signal();
    }
  }

  /** Whether a drain would return something. */
  public boolean hasPending() {
    if (!syncParts.isEmpty()) {
      return true;
    }
    for (Stripe stripe : stripes) {
      synchronized (stripe) {
        if (!stripe.isEmpty()) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Takes everything published so far and packs it into UPDATEs: joining members' snapshots (each
   * followed, once complete, by End-of-RIB markers) first, then pending changes. Serialized per
   * group.
   */
  public synchronized List<OutboundUpdate> drain() {
    signalled.set(false);
    excepts.clear();
    exceptPeer = null;
    behind = detached.keySet().toArray(new Peer[0]);
    behindLogs = new Backlog[behind.length];
    for (int i = 0; i < behind.length; i++) {
      behindLogs[i] = detached.get(behind[i]);
    }
    // Snapshots are taken before pending changes, and come out first: a change taken after a
    // snapshot was published is at least as new as what the snapshot holds of its key (a shard
    // offers a key's changes in order, and a later one replaces an undrained earlier one). And
    // every change pending when a joining member's last part was published comes out in this
    // drain, before its End-of-RIB (see below): its parts leave out what it gets as changes.
    List<SyncPart> parts = new ArrayList<>();
    for (SyncPart part; (part = syncParts.poll()) != null; ) {
      parts.add(part);
    }
    List<Map<OutKey, OutRoute>> takenOthers = new ArrayList<>(STRIPES);
    PendingTable[] takenPlain = new PendingTable[STRIPES];
    for (int i = 0; i < STRIPES; i++) {
      Stripe stripe = stripes[i];
      synchronized (stripe) {
        if (stripe.isEmpty()) {
          continue;
        }
        takenPlain[i] = stripe.plain;
        stripe.plain = stripe.spare;
        if (!stripe.others.isEmpty()) {
          takenOthers.add(stripe.others);
          stripe.others = new HashMap<>();
        }
      }
    }
    UpdatePacker.Batch changes = packer.batch();
    for (int i = 0; i < STRIPES; i++) {
      PendingTable plain = takenPlain[i];
      if (plain == null) {
        continue;
      }
      try {
        // Plain tables hold IPv4 only; their keys go to the packer packed. A loop over positions,
        // not a visitor: no interface call per change; in the order the shards published them.
        for (int j = 0, n = plain.size(); j < n; j++) {
          Object value = plain.valueAt(j);
          if (value instanceof OutRoute r) {
            addChange(
                changes,
                null,
                plain.keyAt(j),
                0,
                r.attributes(),
                r.source(),
                r.sent(),
                r.sentFrom());
          } else {
            addChange(
                changes,
                null,
                plain.keyAt(j),
                0,
                (AttributeSet) plain.companionAt(j),
                (Peer) value,
                false,
                null);
          }
        }
      } finally {
        stripes[i].spare = plain.clearForReuse();
      }
    }
    for (Map<OutKey, OutRoute> others : takenOthers) {
      others.forEach(
          (key, r) ->
              addChange(
                  changes,
                  key.prefix(),
                  0,
                  key.pathId(),
                  r.attributes(),
                  r.source(),
                  r.sent(),
                  r.sentFrom()));
    }
    List<OutboundUpdate> out = new ArrayList<>();
    // End-of-RIB of the initial tables completed here, after this drain's changes (see above).
    List<OutboundUpdate> ends = new ArrayList<>();
    for (SyncPart part : parts) {
      TableSync sync = part.sync();
      Peer peer = sync.peer();
      CatchUp round = sync.round();
      if (joins.get(peer) != sync.join()
          || !members.contains(peer)
          || (round != null && round.cancelled)) {
        continue;
      }
      Backlog missed = detached.get(peer);
      boolean catchingUp = missed != null && round != null && missed.round() == round;
      if (missed != null && !catchingUp) {
        // Split off: the dump's keys and markers wait in its backlog, sent when it catches up.
        absorb(missed, part);
        continue;
      }
      // A member catching up is still split off: the writer sends it what is addressed to it
      // alone, which only its catch-up is (see add).
      Audience only = new Audience.Only(peer);
      if (!sync.begun) {
        sync.begun = true;
        sync.begin().forEach(m -> out.add(new OutboundUpdate(m, only)));
      }
      out.addAll(packer.pack(part.entries()));
      if (sync.remaining().decrementAndGet() == 0) {
        List<OutboundUpdate> to = sync.offered != null ? ends : out;
        end(sync).forEach(m -> to.add(new OutboundUpdate(m, only)));
        if (catchingUp && round.exhausted()) {
          missed.round(null);
        }
      }
    }
    out.addAll(changes.finish());
    out.addAll(ends);
    return out;
  }

  /** Notes one part of a table dump to a member split off in its backlog. */
  private static void absorb(Backlog missed, SyncPart part) {
    TableSync sync = part.sync();
    missed.markers(sync.begun ? List.of() : sync.begin(), List.of());
    sync.begun = true;
    for (UpdatePacker.Entry e : part.entries()) {
      missed.mark(e.prefix(), 0, e.pathId(), e.attributes() == null);
    }
    if (sync.remaining().decrementAndGet() == 0) {
      missed.markers(List.of(), end(sync));
    }
  }

  /**
   * The markers after a dump's last part: its own, or for a chunk of a catch-up, none until the
   * round is over, then the round's. Called once per dump, when its last part is taken.
   */
  private static List<BgpMessage> end(TableSync sync) {
    CatchUp round = sync.round();
    if (round == null) {
      return sync.end();
    }
    round.inFlight = false;
    return round.exhausted() ? round.source().end() : List.of();
  }

  /**
   * Everyone but {@code peer} when it is a member, else everyone: one object per source within a
   * drain (a million changes from one injector share it, and the packer groups by it).
   */
  private Audience allExcept(Peer peer) {
    if (peer == null) {
      return Audience.All.INSTANCE;
    }
    if (peer == exceptPeer) {
      return exceptAudience;
    }
    Audience a = excepts.get(peer);
    if (a == null) {
      a = members.contains(peer) ? new Audience.AllExcept(peer) : Audience.All.INSTANCE;
      excepts.put(peer, a);
    }
    exceptPeer = peer;
    exceptAudience = a;
    return a;
  }

  /**
   * Adds one pending change to the batch: of {@code prefix}, or when that is null of the IPv4
   * prefix packed in {@code packed} (path id 0). {@code sent} and {@code sentFrom} say what the
   * members held before it (see {@link OutRoute}).
   */
  private void addChange(
      UpdatePacker.Batch changes,
      Prefix prefix,
      long packed,
      int pathId,
      AttributeSet attributes,
      Peer source,
      boolean sent,
      Peer sentFrom) {
    if (!renamedMembers.isEmpty()) {
      // Split horizon is per session: a moving member's own re-keyed paths still come from it.
      // Under its new key they would be addressed to it, noted in its backlog, and its catch-up
      // would withdraw its own routes from it.
      source = memberKey(source);
      sentFrom = memberKey(sentFrom);
    }
    boolean addPath = prefix == null ? v4AddPath : profile.addPath(prefix.family());
    Audience exceptSource = allExcept(source);
    boolean fromMember = exceptSource != Audience.All.INSTANCE;
    if (attributes == null) {
      Audience audience;
      if (addPath) {
        audience = exceptSource;
      } else {
        // Only the members holding the earlier advertisement need the withdrawal.
        audience = sent ? allExcept(sentFrom) : Audience.All.INSTANCE;
      }
      add(changes, prefix, packed, pathId, null, audience);
    } else if (fromMember) {
      add(changes, prefix, packed, pathId, attributes, exceptSource);
      // Whether the source may hold the earlier advertisement: it was sent to all but sentFrom.
      boolean sourceHolds = sent && (sentFrom == null || !sentFrom.equals(source));
      if (!addPath && sourceHolds) {
        add(changes, prefix, packed, pathId, null, new Audience.Only(source));
      }
    } else {
      add(changes, prefix, packed, pathId, attributes, Audience.All.INSTANCE);
    }
  }

  private void add(
      UpdatePacker.Batch changes,
      Prefix prefix,
      long packed,
      int pathId,
      AttributeSet attributes,
      Audience audience) {
    // What is addressed to a split-off member alone waits in its backlog like the rest: the only
    // such messages the writer sends it are its catch-up.
    boolean toBehindAlone = audience instanceof Audience.Only o && detached.containsKey(o.peer());
    if (toBehindAlone) {
      // noted below
    } else if (prefix == null) {
      changes.addIpv4(packed, attributes, audience);
    } else {
      changes.add(prefix, pathId, attributes, audience);
    }
    for (int i = 0; i < behind.length; i++) {
      if (audience.includes(behind[i])) {
        behindLogs[i].mark(prefix, packed, pathId, attributes == null);
      }
    }
  }

  private Peer memberKey(Peer peer) {
    return peer == null ? null : renamedMembers.getOrDefault(peer, peer);
  }

  /** The members split off (see {@link #detach}); an immutable set. */
  public Set<Peer> detached() {
    return detached.isEmpty() ? Set.of() : Set.copyOf(detached.keySet());
  }

  /**
   * Splits a member off the synchronous path (its channel is backed up): later drains leave it out
   * and note what it misses. Nothing happens for a non-member or one already split off. Serialized
   * with {@link #drain}: call it between drains, as the writer does.
   */
  public synchronized void detach(Peer peer) {
    if (members.contains(peer) && !detached.containsKey(peer)) {
      detached.put(peer, new Backlog(backlogCap));
    }
  }

  /**
   * Notes in a split-off member's backlog what of {@code unsent} (messages of a drain, in order)
   * was addressed to it: the writer split it off while writing them and drops the rest for it,
   * rather than queueing a whole drain (and pinning its shared buffers) for a member not reading.
   */
  public synchronized void missed(Peer peer, List<OutboundUpdate> unsent) {
    Backlog missed = detached.get(peer);
    if (missed == null) {
      return;
    }
    for (OutboundUpdate u : unsent) {
      if (!u.audience().includes(peer)) {
        continue;
      }
      if (u.message() instanceof BgpMessage.RouteRefresh r) {
        // Begin-of-Route-Refresh goes before the catch-up, End-of-Route-Refresh after it.
        missed.markers(
            r.subtype() == 1 ? List.of(r) : List.of(), r.subtype() == 1 ? List.of() : List.of(r));
      } else if (u.message() instanceof Update up && up.endOfRibFamily().isPresent()) {
        missed.markers(List.of(), List.of(up));
      } else if (u.message() instanceof Update up) {
        markAll(missed, up.withdrawn(), true);
        markAll(missed, up.nlri(), false);
        for (PathAttribute a : up.attributes()) {
          if (a instanceof PathAttribute.MpReach r) {
            markAll(missed, r.nlri(), false);
          } else if (a instanceof PathAttribute.MpUnreach r) {
            markAll(missed, r.withdrawn(), true);
          }
        }
      }
    }
  }

  private static void markAll(Backlog missed, List<Nlri> nlri, boolean withdrawal) {
    if (nlri instanceof Ipv4NlriList packed) {
      for (int i = 0; i < packed.size(); i++) {
        missed.mark(null, packed.packed(i), 0, withdrawal);
      }
    } else {
      for (Nlri n : nlri) {
        missed.mark(n.prefix(), 0, n.pathId(), withdrawal);
      }
    }
  }

  /**
   * Moves a split-off member that can take data again towards the shared path; the writer calls it
   * whenever such a member's channel is writable. With no catch-up in progress, it starts one of
   * what the member missed (a fresh backlog notes what changes meanwhile), or, when it missed
   * nothing since the last one, puts it back: from the next drain on it gets every change. With one
   * in progress, it asks for the next chunk unless one is on its way. Returns whether the member is
   * back; false also, doing nothing, for a member not split off or one moving out (see {@link
   * #leave}).
   */
  public synchronized boolean catchUp(Peer peer) {
    Backlog missed = detached.get(peer);
    if (missed == null || missed.leaving()) {
      return false;
    }
    CatchUp round = missed.round();
    if (round == null) {
      if (missed.isEmpty()) {
        detached.remove(peer);
        return true;
      }
      Object join = joins.get(peer);
      if (join == null || !members.contains(peer)) {
        return false;
      }
      round =
          new CatchUp(peer, join, profile.families(), missed, resync, catchUpChunk, missed.whole());
      Backlog next = new Backlog(backlogCap);
      next.round(round);
      detached.put(peer, next);
    }
    if (!round.inFlight) {
      round.inFlight = true;
      requestChunk(round);
    }
    return false;
  }

  private void requestChunk(CatchUp round) {
    List<BgpMessage> begin = round.begun ? List.of() : round.source().begin();
    round.begun = true;
    resync.chunk(
        this,
        round,
        new TableSync(
            round.peer(),
            round.join(),
            profile.families(),
            round.shards(),
            begin,
            List.of(),
            round));
  }

  /**
   * Sends a member on the shared path the current state of what {@code missed} noted, in one chunk
   * (a member moving in from another group, see {@link Rib#move}). The move's dump sent it the
   * whole table as each shard held it when it moved, and this group every change since, so a whole
   * backlog needs no walk: only its withdrawn keys, of prefixes gone before the dump and so absent
   * from it.
   */
  synchronized void resyncNow(Peer peer, Backlog missed) {
    Object join = joins.get(peer);
    if (missed.isEmpty() || join == null || !members.contains(peer)) {
      return;
    }
    CatchUp round =
        new CatchUp(peer, join, profile.families(), missed, resync, Integer.MAX_VALUE, false);
    round.inFlight = true;
    requestChunk(round);
  }

  /** Sets the keys a split-off member's backlog notes before it goes whole (tests). */
  synchronized void backlogCap(int cap) {
    backlogCap = cap;
  }

  /** Sets the keys each shard sends per chunk of a catch-up (tests). */
  synchronized void catchUpChunk(int keys) {
    catchUpChunk = keys;
  }

  /** The keys noted for a split-off member, or -1 when it is not split off (tests). */
  synchronized int backlogSize(Peer peer) {
    Backlog missed = detached.get(peer);
    return missed == null ? -1 : missed.size();
  }

  /**
   * Starts moving a member out (its session stays up, its export profile changed): from now on
   * drains leave it out and note what it misses, as for a slow member, but it is not put back.
   * {@link #release} ends the move. When its reflector-client role changed, the RIB re-keys its
   * paths to {@code renamed} meanwhile, and changes of those count as its own.
   */
  synchronized void leave(Peer peer, Peer renamed) {
    detach(peer);
    Backlog missed = detached.get(peer);
    if (missed != null) {
      CatchUp round = missed.round();
      if (round != null) {
        // Its catch-up stops here: all it was about is noted again, for the group it moves to.
        round.cancelled = true;
        missed.round(null);
        missed.absorbOlder(round.source());
      }
      missed.leave();
      if (!renamed.equals(peer)) {
        renamedMembers.put(renamed, peer);
      }
    }
  }

  /**
   * Removes a member that {@link #leave} started moving out and returns what it missed meanwhile:
   * the keys drained without it, and those still pending here that would have been sent to it
   * (under its name or, after a role change, {@code renamed}), which will never be drained to it.
   * The group it moves to sends it their current state (see {@link Rib#move}).
   */
  synchronized Backlog release(Peer peer, Peer renamed) {
    renamedMembers.remove(renamed);
    Backlog missed = detached.remove(peer);
    if (missed == null) {
      missed = new Backlog(backlogCap);
    }
    // Dumps published for it and not drained yet (its initial table's End-of-RIB among them).
    Object join = joins.get(peer);
    Backlog dumps = missed;
    syncParts.removeIf(
        part -> {
          if (!part.sync().peer().equals(peer) || part.sync().join() != join) {
            return false;
          }
          absorb(dumps, part);
          return true;
        });
    removeMember(peer);
    for (Stripe stripe : stripes) {
      synchronized (stripe) {
        Backlog into = missed;
        PendingTable plain = stripe.plain;
        for (int j = 0, n = plain.size(); j < n; j++) {
          OutRoute r =
              plain.valueAt(j) instanceof OutRoute o
                  ? o
                  : new OutRoute(
                      (AttributeSet) plain.companionAt(j), (Peer) plain.valueAt(j), false, null);
          if (addressedTo(r, peer, renamed)) {
            into.mark(null, plain.keyAt(j), 0, r.attributes() == null);
          }
        }
        stripe.others.forEach(
            (k, r) -> {
              if (addressedTo(r, peer, renamed)) {
                into.mark(k.prefix(), 0, k.pathId(), r.attributes() == null);
              }
            });
      }
    }
    return missed;
  }

  /**
   * Whether a drain would send {@code member} (also known as {@code renamed}: its role may have
   * changed) anything for the pending change {@code r}, as {@link #addChange} decides without
   * ADD-PATH: its own routes only ever come back as the withdrawal of an earlier advertisement.
   */
  private static boolean addressedTo(OutRoute r, Peer member, Peer renamed) {
    boolean fromIt =
        r.source() != null && (r.source().equals(member) || r.source().equals(renamed));
    boolean heldBy =
        r.sent()
            && (r.sentFrom() == null
                || !(r.sentFrom().equals(member) || r.sentFrom().equals(renamed)));
    if (r.attributes() == null) {
      return !r.sent() || heldBy; // a withdrawal goes to whoever may hold the prefix
    }
    return !fromIt || heldBy;
  }

  /**
   * Publishes a change (attributes null = withdraw) computed by a shard. {@code sent} says whether
   * the group was advertised this key before the change, and {@code sentFrom} the source of that
   * advertisement (every member but it holds it): without ADD-PATH only those members need a
   * withdrawal, and the new source only if it holds the earlier route.
   */
  void offer(
      Prefix prefix,
      int pathId,
      AttributeSet attributes,
      Peer source,
      boolean sent,
      Peer sentFrom) {
    hold(prefix, pathId, attributes, source, sent, sentFrom);
    signal();
  }

  /**
   * As {@link #offer}, without signalling: the caller signals once it has offered a batch (see
   * {@link ChangePublisher#deferSignals}).
   */
  void hold(
      Prefix prefix,
      int pathId,
      AttributeSet attributes,
      Peer source,
      boolean sent,
      Peer sentFrom) {
    if (pathId == 0 && !prefix.ipv6() && source != null) {
      hold(PrefixTable.pack(prefix), attributes, source, sent, sentFrom);
      return;
    }
    Stripe stripe = stripeOf(prefix);
    synchronized (stripe) {
      OutKey other = new OutKey(prefix, pathId);
      OutRoute old = stripe.others.get(other);
      stripe.others.put(
          other,
          old == null
              ? new OutRoute(attributes, source, sent, sentFrom)
              : new OutRoute(attributes, source, old.sent(), old.sentFrom()));
    }
  }

  /**
   * As {@link #offer(long, AttributeSet, Peer, boolean, Peer)}, without signalling (see {@link
   * #hold(Prefix, int, AttributeSet, Peer, boolean, Peer)}).
   */
  void hold(long packed, AttributeSet attributes, Peer source, boolean sent, Peer sentFrom) {
    // Hashed once, for the stripe (top bits) and the table's probe (low bits).
    int hash = PrefixTable.mix(packed);
    Stripe stripe = stripes[stripeIndex(hash)];
    synchronized (stripe) {
      int at = stripe.plain.positionOrAdd(packed, hash);
      if (at < 0) {
        Object held = sent ? stripe.outRoute(attributes, source, true, sentFrom) : source;
        stripe.plain.setAt(-1 - at, held, attributes);
      } else if (stripe.plain.valueAt(at) instanceof OutRoute old) {
        // A change replacing an undrained one keeps what the members held before that one.
        stripe.plain.setAt(
            at, stripe.outRoute(attributes, source, old.sent(), old.sentFrom()), attributes);
      } else {
        stripe.plain.setAt(at, source, attributes);
      }
    }
  }

  /**
   * As {@link #offer(Prefix, int, AttributeSet, Peer, boolean, Peer)} for path 0 of an IPv4 prefix
   * packed as {@link PrefixTable#pack}, from a known {@code source}: the common change, which a
   * shard publishes without building a {@link Prefix}.
   */
  void offer(long packed, AttributeSet attributes, Peer source, boolean sent, Peer sentFrom) {
    hold(packed, attributes, source, sent, sentFrom);
    signal();
  }

  /** Publishes a change without knowing what was sent before: every member may hold it. */
  void offer(Prefix prefix, int pathId, AttributeSet attributes, Peer source) {
    offer(prefix, pathId, attributes, source, true, null);
  }

  /**
   * Adds a member that expects {@code parts} snapshot parts, one per shard; returns the join's
   * token to pass with each part.
   */
  synchronized TableSync beginSync(Peer peer, int parts) {
    Object join = newSession(peer);
    List<BgpMessage> end = new ArrayList<>();
    for (AddressFamily family : profile.families()) {
      end.add(Update.endOfRib(family));
    }
    TableSync sync = new TableSync(peer, join, profile.families(), parts, List.of(), end);
    // Listed after the member was added: a change noted from now on is drained to it (the writer
    // reads the roster and drains on the loop that joins it), so its part may leave that key out.
    sync.offered = ConcurrentHashMap.newKeySet();
    sync.untaken = new AtomicInteger(parts);
    joining.updateAndGet(
        a -> {
          TableSync[] b = Arrays.copyOf(a, a.length + 1);
          b[a.length] = sync;
          return b;
        });
    return sync;
  }

  /** Initial tables in progress whose parts are not all taken (see {@link TableSync#offered}). */
  TableSync[] joining() {
    return joining.get();
  }

  /**
   * Adds a member moving in from another group mid-session (its export policy changed); returns the
   * token for its table dump, which ends without End-of-RIB: the session's initial table was ended
   * already (RFC 4724 §2 sends the marker once).
   */
  synchronized TableSync beginMove(Peer peer, int parts) {
    Object join = newSession(peer);
    return new TableSync(peer, join, profile.families(), parts, List.of(), List.of());
  }

  /**
   * Makes {@code peer} a member under a new join token. A join starts afresh: a backlog and a
   * catch-up left from an earlier session of an equal peer (one that flapped) go, or the new
   * session would start split off and its initial table would be absorbed into the stale backlog.
   */
  private Object newSession(Peer peer) {
    if (retired) {
      // The RIB listed the group again before this (UpdateGroups.admit): drop what it held while
      // the shards skipped it, then it is live.
      dropPending();
      retired = false;
    }
    dropBacklog(peer);
    Object join = new Object();
    joins.put(peer, join);
    members.add(peer);
    membership.incrementAndGet();
    return join;
  }

  /**
   * Schedules the table of one family again for a member (a ROUTE-REFRESH answer, RFC 2918 §4),
   * framed by Begin- and End-of-Route-Refresh when {@code enhanced} (RFC 7313 §4); returns the
   * token to pass with each part, or null when {@code peer} is not a member or the group does not
   * carry the family.
   */
  TableSync beginRefresh(Peer peer, int parts, AddressFamily family, boolean enhanced) {
    Object join = joins.get(peer);
    if (join == null || !members.contains(peer) || !profile.families().contains(family)) {
      return null;
    }
    List<BgpMessage> begin = enhanced ? List.of(new BgpMessage.RouteRefresh(family, 1)) : List.of();
    List<BgpMessage> end = enhanced ? List.of(new BgpMessage.RouteRefresh(family, 2)) : List.of();
    return new TableSync(peer, join, Set.of(family), parts, begin, end);
  }

  /**
   * Whether a change of path {@code pathId} of {@code prefix} is waiting for a drain. Asked by the
   * prefix's shard, the only one that offers it: the answer holds until a drain takes it.
   */
  boolean pending(Prefix prefix, int pathId) {
    if (pathId == 0 && !prefix.ipv6()) {
      long packed = PrefixTable.pack(prefix);
      int hash = PrefixTable.mix(packed);
      Stripe stripe = stripes[stripeIndex(hash)];
      synchronized (stripe) {
        if (stripe.plain.position(packed, hash) >= 0) {
          return true;
        }
      }
    }
    // Not only ADD-PATH and IPv6: an IPv4 change held without a source is kept here too (see
    // hold), in the stripe of its prefix's hash, not of its packed key.
    Stripe stripe = stripeOf(prefix);
    synchronized (stripe) {
      return stripe.others.containsKey(new OutKey(prefix, pathId));
    }
  }

  // The stripe of a prefix held in the others map, from the hash's top bits as for a packed key.
  private Stripe stripeOf(Prefix prefix) {
    return stripes[stripeIndex(prefix.hashCode() * 0x9E3779B9)];
  }

  /**
   * The stripe of a key whose hash is {@code hash}: its top bits, which no stripe's table probes
   * with (it takes the low bits, up to 2^29 slots). Bits 16-18, used until session 19, are the
   * probe's too once a stripe's index reaches 2^17 slots (a table load's 65,536 changes in one
   * stripe): every key of a stripe then shared those bits, so only half, then a quarter, of the
   * index could be a key's home slot, and linear probing ran through one cluster.
   */
  static int stripeIndex(int hash) {
    return hash >>> (Integer.SIZE - Integer.numberOfTrailingZeros(STRIPES));
  }

  /** Publishes one shard's snapshot for a joining or refreshed member. */
  void addSyncPart(TableSync sync, List<UpdatePacker.Entry> entries) {
    if (sync.untaken != null && sync.untaken.decrementAndGet() == 0) {
      // Every part is taken: nothing more to note for it.
      joining.updateAndGet(
          a -> {
            List<TableSync> b = new ArrayList<>(List.of(a));
            b.remove(sync);
            return b.toArray(new TableSync[0]);
          });
    }
    syncParts.add(new SyncPart(sync, entries));
    signal();
  }

  /**
   * Removes a member (session down); nothing more is addressed to it. Serialized with {@link
   * #catchUp}: it runs on whatever thread ends the session, and between catchUp's checks and its
   * new backlog it would leave a backlog for a member gone.
   */
  synchronized void removeMember(Peer peer) {
    members.remove(peer);
    membership.incrementAndGet();
    joins.remove(peer);
    dropBacklog(peer);
  }

  /** Forgets what a member split off missed, and stops its catch-up. */
  private void dropBacklog(Peer peer) {
    Backlog stale = detached.remove(peer);
    if (stale != null && stale.round() != null) {
      stale.round().cancelled = true;
    }
  }

  /** Tells the listener that changes are pending, unless it was told and has not drained yet. */
  void signal() {
    // Read first: once signalled, shards publishing a million changes only read the flag.
    if (signalled.get()) {
      return;
    }
    if (signalled.compareAndSet(false, true)) {
      try {
        listener.run();
      } catch (RuntimeException | Error e) {
        // No drain was scheduled, and none ever would be: every later offer would find the flag
        // set and return. Re-arm so the next change signals again.
        signalled.set(false);
        throw e;
      }
    }
  }

  @Override
  public String toString() {
    return "UpdateGroup["
        + profile.kind()
        + (profile.routeReflectorClient() ? " rr-client" : "")
        + ", members="
        + members.size()
        + "]";
  }
}
