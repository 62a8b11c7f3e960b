package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.Ipv4NlriList;
import dev.netctl.bgp.codec.Prefix;
import java.util.List;

/**
 * Publishes one shard's Loc-RIB changes: a {@link BestPathChange} to each listening {@link
 * RouteSink}, and to each {@link UpdateGroup} the change its members need, after export rules and
 * policy (remembered per interned attribute set, see {@link ExportMemo}). Owned by its shard's
 * thread, like the shard.
 */
final class ChangePublisher {
  private final List<RouteSink> sinks;
  private final UpdateGroups groups;
  private final RibConfig config;
  private final ExportMemo exportMemo;
  // The last export policy result (see export).
  private OutboundProfile exportedProfile;
  private AttributeSet exportedRules;
  private AttributeSet exportedFrom;
  private boolean exportedIpv6;
  private AttributeSet exported;
  // The list of the last compact route returned (see compactRoute).
  private List<Route> compactList;
  // Whether the profile last published to carries the family, and with ADD-PATH: two set lookups
  // (interface calls the C1-only speaker dispatches through a stub) per change and group otherwise.
  // A group's profile never changes.
  private OutboundProfile carriedProfile;
  private AddressFamily carriedFamily;
  private boolean carried;
  private boolean carriedAddPath;
  // While deferring (see deferSignals), the groups offered to since, to signal at the end; a plain
  // field of the shard's thread, not a thread-local looked up per change.
  private boolean deferring;
  private UpdateGroup[] offered = new UpdateGroup[4];
  private int offeredCount;
  // Which groups of the live array flaggedLive are in offered, by index: a search of offered per
  // change and group cost O(groups²) per prefix. Rebuilt when the live array changes (a group added
  // or retired), which is rare.
  private UpdateGroup[] flaggedLive;
  private boolean[] flagged;
  // The prefix of the change being published; null while that is the IPv4 prefix packed (as
  // Ipv4NlriList.pack) in currentPacked and no Prefix has been needed yet (see prefix()).
  private Prefix current;
  private long currentPacked;
  // The group being published to (see publish), so that export notes a withheld route there without
  // a search; null outside publish.
  private UpdateGroup publishing;
  // Whether export notes the routes it withholds: not while it recomputes what was advertised
  // before a change (that route is no longer current).
  private boolean noting = true;
  // Whether the last export withheld its route as too large for one UPDATE (see export).
  private boolean withheldLast;
  // The last set sized for a codec, and the octets it leaves for NLRI: consecutive changes mostly
  // share a set, and sizing an IPv6 set costs an encoding.
  private AttributeSet sizedSet;
  private dev.netctl.bgp.codec.CodecContext sizedCodec;
  private int sizedRoom;

  /** A publisher to the shard's sinks and groups (concurrent, owned by {@link Rib}). */
  ChangePublisher(RibConfig config, List<RouteSink> sinks, UpdateGroups groups) {
    this.sinks = sinks;
    this.groups = groups;
    this.config = config;
    this.exportMemo = new ExportMemo(config);
  }

  /** Publishes the first path of a new compact entry. */
  void inserted(Prefix prefix, Peer peer, AttributeSet attributes) {
    inserted(prefix, 0, peer, attributes);
  }

  /**
   * As above for the compact entry of {@code prefix}, or when it is null of the IPv4 prefix {@code
   * packed} (as {@link Ipv4NlriList#pack}): a {@link Prefix} is then built only if a sink listens
   * or an export needs one.
   */
  void inserted(Prefix prefix, long packed, Peer peer, AttributeSet attributes) {
    Route added = compactRoute(peer, attributes);
    publish(prefix, packed, null, List.of(), added, compactList, null, added);
  }

  /** Publishes a compact entry's path from {@code source} replaced by one from {@code peer}. */
  void replaced(Prefix prefix, Peer source, AttributeSet old, Peer peer, AttributeSet attributes) {
    replaced(prefix, 0, source, old, peer, attributes);
  }

  /** As above, the prefix given as for {@link #inserted(Prefix, long, Peer, AttributeSet)}. */
  void replaced(
      Prefix prefix,
      long packed,
      Peer source,
      AttributeSet old,
      Peer peer,
      AttributeSet attributes) {
    Route removed = compactRoute(source, old);
    List<Route> removedList = compactList;
    Route added = compactRoute(peer, attributes);
    publish(prefix, packed, removed, removedList, added, compactList, removed, added);
  }

  /** Publishes the removal of a compact entry's only path, from {@code source}. */
  void removed(Prefix prefix, Peer source, AttributeSet attributes) {
    removed(prefix, 0, source, attributes);
  }

  /** As above, the prefix given as for {@link #inserted(Prefix, long, Peer, AttributeSet)}. */
  void removed(Prefix prefix, long packed, Peer source, AttributeSet attributes) {
    Route removed = compactRoute(source, attributes);
    publish(prefix, packed, removed, compactList, null, List.of(), removed, null);
  }

  /**
   * The route of a compact entry (path id 0, our id 1), and in {@link #compactList} the list of it
   * alone: kept on the interned attribute set, as a set's routes mostly share one source, and a
   * route is an immutable value. (A cache of the last two here missed on every prefix when a
   * thousand sets alternate prefix by prefix, as in a withdrawal of a table.)
   */
  private Route compactRoute(Peer source, AttributeSet attributes) {
    List<Route> kept = attributes.compactRoute();
    // get(0), not getFirst(): the default method adds an isEmpty() call, and each is an interface
    // call C1 dispatches through a stub, once per change; the list is never empty (made below).
    Route r = kept == null ? null : kept.get(0);
    if (r != null && r.source() == source) {
      compactList = kept;
      return r;
    }
    r = new Route(source, 0, attributes, 1);
    compactList = List.of(r);
    attributes.compactRoute(compactList);
    return r;
  }

  /**
   * Has the changes published from now on signal their groups only at {@link #releaseSignals}: a
   * RIB shard runs a read's worth of UPDATEs as one task, and signalling at its first change had
   * the writer drain (and send, and take every stripe's monitor) a few changes at a time while the
   * shard went on, several drains per task. Drained at its end, a task's changes go out in one.
   */
  void deferSignals() {
    deferring = true;
  }

  /**
   * Signals the groups offered to since {@link #deferSignals}, and signals directly again. Every
   * group is signalled even if one's listener throws (its changes are in the group already and
   * would otherwise wait for the next change); the first failure is rethrown after.
   */
  void releaseSignals() {
    deferring = false;
    int n = offeredCount;
    offeredCount = 0;
    if (flagged != null) {
      java.util.Arrays.fill(flagged, false);
    }
    RuntimeException first = null;
    for (int i = 0; i < n; i++) {
      UpdateGroup g = offered[i];
      offered[i] = null;
      try {
        g.signal();
      } catch (RuntimeException e) {
        if (first == null) first = e;
        else first.addSuppressed(e);
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * Offers the current change to {@code g}, the group at {@code index} of {@code live}: by packed
   * key when it is path 0 of an IPv4 prefix not built yet, with a source (a withdrawal has one).
   */
  private void offer(
      UpdateGroup[] live,
      int index,
      int pathId,
      AttributeSet attributes,
      Peer source,
      boolean sent,
      Peer sentFrom) {
    UpdateGroup g = live[index];
    boolean packed = current == null && pathId == 0 && source != null;
    TableSync[] joins = g.joining();
    if (joins.length > 0) {
      // A member's initial table is being taken: its part leaves out what it gets this way.
      Object key =
          current == null && pathId == 0 ? (Object) currentPacked : TableSync.key(current, pathId);
      for (TableSync join : joins) {
        join.offered.add(key);
      }
    }
    if (!deferring) {
      if (packed) {
        g.offer(currentPacked, attributes, source, sent, sentFrom);
      } else {
        g.offer(prefix(), pathId, attributes, source, sent, sentFrom);
      }
      return;
    }
    if (packed) {
      g.hold(currentPacked, attributes, source, sent, sentFrom);
    } else {
      g.hold(prefix(), pathId, attributes, source, sent, sentFrom);
    }
    if (live != flaggedLive) {
      reflag(live);
    }
    if (flagged[index]) {
      return;
    }
    flagged[index] = true;
    if (offeredCount == offered.length) {
      offered = java.util.Arrays.copyOf(offered, offeredCount * 2);
    }
    offered[offeredCount++] = g;
  }

  // The flags for another live array: the groups offered to so far that are in it.
  private void reflag(UpdateGroup[] live) {
    flaggedLive = live;
    flagged = new boolean[live.length];
    for (int i = 0; i < offeredCount; i++) {
      for (int j = 0; j < live.length; j++) {
        if (live[j] == offered[i]) {
          flagged[j] = true;
        }
      }
    }
  }

  /** The prefix of the change being published, built from its packed form on first need. */
  private Prefix prefix() {
    Prefix p = current;
    if (p == null) {
      p = Ipv4NlriList.unpack(currentPacked);
      current = p;
    }
    return p;
  }

  void publish(
      Prefix prefix,
      Route oldBest,
      List<Route> oldMultipath,
      Route best,
      List<Route> multipath,
      Route removed,
      Route added) {
    publish(prefix, 0, oldBest, oldMultipath, best, multipath, removed, added);
  }

  /** As above for {@code prefix}, or when it is null for the IPv4 prefix {@code packed}. */
  private void publish(
      Prefix prefix,
      long packed,
      Route oldBest,
      List<Route> oldMultipath,
      Route best,
      List<Route> multipath,
      Route removed,
      Route added) {
    current = prefix;
    currentPacked = packed;
    noting = true;
    // A sink that throws does not keep the change from the other sinks or the groups (the peers
    // would never hear of it): its failure is rethrown once the change is published.
    RuntimeException sinkFailure = null;
    if (best != oldBest || !multipath.equals(oldMultipath)) {
      BestPathChange change = null;
      // Indexed, not iterated: an iterator per change is garbage a million times over. Sinks are
      // only ever added to, so an index read once stays valid.
      for (int i = 0, n = sinks.size(); i < n; i++) {
        RouteSink sink = sinks.get(i);
        if (sink.listening()) {
          if (change == null) {
            change = new BestPathChange(prefix(), best, multipath);
          }
          try {
            sink.onChange(change);
          } catch (RuntimeException e) {
            if (sinkFailure == null) {
              sinkFailure = e;
            }
          }
        }
      }
    }
    boolean ipv6 = prefix != null && prefix.ipv6();
    AddressFamily family = ipv6 ? AddressFamily.IPV6_UNICAST : AddressFamily.IPV4_UNICAST;
    // The groups not retired, in one volatile read: a group left without members costs nothing
    // here (see UpdateGroups for why skipping it cannot leave a later member with older state).
    UpdateGroup[] live = groups.live();
    for (int i = 0; i < live.length; i++) {
      UpdateGroup g = live[i];
      OutboundProfile profile = g.profile();
      if (profile != carriedProfile || family != carriedFamily) {
        carriedProfile = profile;
        carriedFamily = family;
        carried = profile.families().contains(family);
        carriedAddPath = carried && profile.addPath(family);
      }
      if (!carried) {
        continue;
      }
      publishing = g;
      if (carriedAddPath) {
        // ADD-PATH send: every path is advertised under its own id, so only the changed path
        // matters; the receiver resolves next hops itself.
        noting = false;
        AttributeSet before = removed == null ? null : export(profile, prefix, ipv6, removed);
        noting = true;
        AttributeSet after = added == null ? null : export(profile, prefix, ipv6, added);
        boolean addedWithheld = added != null && withheldLast;
        WithheldRoutes withheld = g.withheld();
        if (withheld.any()) {
          if (removed != null && (added == null || removed.localId() != added.localId())) {
            withheld.remove(prefix(), removed.localId());
          }
          if (added != null && !addedWithheld) {
            withheld.remove(prefix(), added.localId());
          }
        }
        if (before != after) {
          Route which = added != null ? added : removed;
          offer(live, i, which.localId(), after, which.source(), true, null);
        }
      } else if (best != oldBest) {
        noting = false;
        AttributeSet before = oldBest == null ? null : export(profile, prefix, ipv6, oldBest);
        noting = true;
        AttributeSet after = best == null ? null : export(profile, prefix, ipv6, best);
        if (!(best != null && withheldLast) && g.withheld().any()) {
          g.withheld().remove(prefix(), 0);
        }
        boolean sourceChanged =
            after != null && oldBest != null && !sameSession(oldBest.source(), best.source());
        if (before != after || sourceChanged) {
          // Members hold our previous advertisement (if any) except its source, to whom
          // nothing is sent back: that decides who needs a withdrawal. The source is named as its
          // session is known now: after a role change it is a member under its new key.
          Peer about = after != null ? best.source() : oldBest.source();
          Peer heldFrom = before == null ? null : namedNow(oldBest.source(), best);
          offer(live, i, 0, after, about, before != null, heldFrom);
        }
      }
    }
    publishing = null;
    if (sinkFailure != null) {
      throw sinkFailure;
    }
  }

  /**
   * Whether two sources are one session, even if its reflector-client role changed in between: the
   * audience (split horizon) is the same, so equal attributes need not be sent again.
   */
  private static boolean sameSession(Peer a, Peer b) {
    return a.equals(b)
        || (a.address().equals(b.address())
            && a.routerId().equals(b.routerId())
            && a.asn() == b.asn()
            && a.kind() == b.kind());
  }

  /** {@code source}, or {@code now}'s source when that is the same session under a new role. */
  private static Peer namedNow(Peer source, Route now) {
    return now != null && sameSession(source, now.source()) ? now.source() : source;
  }

  /** The group's attributes for a route, or null; null too when it came from {@code exclude}. */
  AttributeSet export(OutboundProfile profile, Prefix prefix, Route route, Peer exclude) {
    if (exclude != null && route.source().equals(exclude)) {
      return null;
    }
    return export(profile, prefix, prefix.ipv6(), route);
  }

  /**
   * The group's attributes for a route of {@code prefix} or, when that is null, of the change being
   * published (built only if the answer depends on it); null when the route is not exported, or is
   * withheld because its attributes leave no room for the prefix in one UPDATE of the group's
   * message size (see {@link WithheldRoutes}). A withheld route is then never announced, so never
   * withdrawn, and the members get the withdrawal of an earlier version they hold.
   */
  private AttributeSet export(OutboundProfile profile, Prefix prefix, boolean ipv6, Route route) {
    withheldLast = false;
    AttributeSet out = policyExport(profile, prefix, ipv6, route);
    if (out == null) {
      return null;
    }
    dev.netctl.bgp.codec.CodecContext codec = profile.codec();
    int room;
    if (out == sizedSet && codec == sizedCodec) {
      room = sizedRoom;
    } else {
      room = UpdatePacker.nlriRoom(out, ipv6, codec);
      sizedSet = out;
      sizedCodec = codec;
      sizedRoom = room;
    }
    if (room >= UpdatePacker.MAX_NLRI_SIZE) {
      return out; // fits with any prefix: nearly always, and no prefix is built to know it
    }
    Prefix p = prefix != null ? prefix : prefix();
    boolean addPath =
        profile.addPath(ipv6 ? AddressFamily.IPV6_UNICAST : AddressFamily.IPV4_UNICAST);
    if (room >= UpdatePacker.nlriSize(p, addPath)) {
      return out;
    }
    withheldLast = true;
    if (noting) {
      UpdateGroup g =
          publishing != null && publishing.profile() == profile ? publishing : groupOf(profile);
      if (g != null) {
        g.withheld().add(p, addPath ? route.localId() : 0, room, codec, g.members());
      }
    }
    return null;
  }

  /** The live group of {@code profile}, or null. */
  private UpdateGroup groupOf(OutboundProfile profile) {
    for (UpdateGroup g : groups.live()) {
      if (g.profile() == profile) {
        return g;
      }
    }
    return null;
  }

  /** The group's attributes for a route after export rules and policy, or null (see export). */
  private AttributeSet policyExport(
      OutboundProfile profile, Prefix prefix, boolean ipv6, Route route) {
    // A prefix-independent policy gives the same answer for the same group, source, attributes
    // and family: first the answer kept on the attribute set, then the last one given.
    boolean memo = profile.exportPolicy().prefixIndependent();
    AttributeSet from = route.attributes();
    ExportAnswer kept = null;
    if (memo) {
      kept = from.exportAnswer();
      if (kept != null && kept.answers(config, profile, route.source(), ipv6)) {
        return kept.out();
      }
    }
    // A set without an answer yet (a new set: a thousand per churn) gets this one kept on it (see
    // keep), which answers every later question of this group: the memo's entry would be its key,
    // a map node, and the set itself held until the memo fills, for nothing.
    AttributeSet rules =
        memo && kept == null
            ? ExportRules.rules(config, profile, ipv6, route)
            : exportMemo.rules(profile, ipv6, route);
    if (rules == null) {
      if (memo) {
        keep(from, new ExportAnswer(config, profile, route.source(), ipv6, null));
      }
      return null;
    }
    if (memo
        && profile == exportedProfile
        && rules == exportedRules
        && route.attributes() == exportedFrom
        && ipv6 == exportedIpv6) {
      return exported;
    }
    AttributeSet out =
        ExportRules.acceptsAll(profile)
            ? ExportRules.sendable(rules)
            : ExportRules.policy(profile, prefix != null ? prefix : prefix(), route, rules)
                .orElse(null);
    if (out != null && !ipv6) {
      // Encoded here, on the shard, once per set and group context: the event loop drains every
      // group and was the busier thread of a churn (docs/benchmarks.md, issue 14 session 10).
      UpdatePacker.prepare(out, profile.codec());
    }
    if (memo) {
      keep(from, new ExportAnswer(config, profile, route.source(), ipv6, out));
      exportedProfile = profile;
      exportedRules = rules;
      exportedFrom = route.attributes();
      exportedIpv6 = ipv6;
      exported = out;
    }
    return out;
  }

  /**
   * Keeps {@code answer} on the set unless the set holds one for another live group: a set exported
   * to several groups keeps its first group's answer (the others use the memos) rather than trading
   * answers, and an allocation, on every prefix. An answer for a group left without members (they
   * moved on when their export policy changed), or not of this RIB (sets are interned process-wide,
   * and a RIB may be replaced), gives way: it would keep the fast path from the live group and pin
   * the dead profile, its configuration and its peers.
   */
  private void keep(AttributeSet set, ExportAnswer answer) {
    ExportAnswer kept = set.exportAnswer();
    if (kept == null || kept.profile() == answer.profile() || !live(kept)) {
      set.exportAnswer(answer);
    }
  }

  /** Whether {@code kept} answers for one of this RIB's groups that has members. */
  private boolean live(ExportAnswer kept) {
    if (kept.config() != config) {
      return false;
    }
    for (UpdateGroup g : groups.live()) {
      if (g.profile() == kept.profile()) {
        return g.hasMembers();
      }
    }
    return false;
  }
}
