package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.AddressFamily;
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
  private final List<UpdateGroup> groups;
  private final ExportMemo exportMemo;
  // The last export policy result (see export).
  private OutboundProfile exportedProfile;
  private AttributeSet exportedRules;
  private AttributeSet exportedFrom;
  private boolean exportedIpv6;
  private AttributeSet exported;
  // Recent compact routes (see compactRoute); compactList is the list of the last one returned.
  private final Route[] compact = new Route[2];

  @SuppressWarnings("unchecked")
  private final List<Route>[] compactLists = new List[2];

  private int compactVictim;
  private List<Route> compactList;

  /** A publisher to the shard's sinks and groups (concurrent lists owned by {@link Rib}). */
  ChangePublisher(RibConfig config, List<RouteSink> sinks, List<UpdateGroup> groups) {
    this.sinks = sinks;
    this.groups = groups;
    this.exportMemo = new ExportMemo(config);
  }

  /** Publishes the first path of a new compact entry. */
  void inserted(Prefix prefix, Peer peer, AttributeSet attributes) {
    Route added = compactRoute(peer, attributes);
    publish(prefix, null, List.of(), added, compactList, null, added);
  }

  /** Publishes a compact entry's path from {@code source} replaced by one from {@code peer}. */
  void replaced(Prefix prefix, Peer source, AttributeSet old, Peer peer, AttributeSet attributes) {
    Route removed = compactRoute(source, old);
    List<Route> removedList = compactList;
    Route added = compactRoute(peer, attributes);
    publish(prefix, removed, removedList, added, compactList, removed, added);
  }

  /** Publishes the removal of a compact entry's only path, from {@code source}. */
  void removed(Prefix prefix, Peer source, AttributeSet attributes) {
    Route removed = compactRoute(source, attributes);
    publish(prefix, removed, compactList, null, List.of(), removed, null);
  }

  /**
   * The route of a compact entry (path id 0, our id 1), and in {@link #compactList} the list of it
   * alone: reused from the last two asked for, as consecutive prefixes of one UPDATE share source
   * and interned attributes, and a route is an immutable value.
   */
  private Route compactRoute(Peer source, AttributeSet attributes) {
    Route r = compact[0];
    if (r != null && r.attributes() == attributes && r.source() == source) {
      compactList = compactLists[0];
      return r;
    }
    r = compact[1];
    if (r != null && r.attributes() == attributes && r.source() == source) {
      compactList = compactLists[1];
      return r;
    }
    r = new Route(source, 0, attributes, 1);
    int victim = compactVictim;
    compactVictim ^= 1;
    compact[victim] = r;
    compactLists[victim] = compactList = List.of(r);
    return r;
  }

  void publish(
      Prefix prefix,
      Route oldBest,
      List<Route> oldMultipath,
      Route best,
      List<Route> multipath,
      Route removed,
      Route added) {
    if (best != oldBest || !multipath.equals(oldMultipath)) {
      BestPathChange change = null;
      // Indexed, not iterated: an iterator per change is garbage a million times over. Sinks and
      // groups are only ever added to, so an index read once stays valid.
      for (int i = 0, n = sinks.size(); i < n; i++) {
        RouteSink sink = sinks.get(i);
        if (sink.listening()) {
          if (change == null) {
            change = new BestPathChange(prefix, best, multipath);
          }
          sink.onChange(change);
        }
      }
    }
    AddressFamily family = prefix.family();
    for (int i = 0, n = groups.size(); i < n; i++) {
      UpdateGroup g = groups.get(i);
      OutboundProfile profile = g.profile();
      if (!profile.families().contains(family)) {
        continue;
      }
      if (profile.addPath(family)) {
        // ADD-PATH send: every path is advertised under its own id, so only the changed path
        // matters; the receiver resolves next hops itself.
        AttributeSet before = removed == null ? null : export(profile, prefix, removed, null);
        AttributeSet after = added == null ? null : export(profile, prefix, added, null);
        if (before != after) {
          Route which = added != null ? added : removed;
          g.offer(prefix, which.localId(), after, which.source());
        }
      } else if (best != oldBest) {
        AttributeSet before = oldBest == null ? null : export(profile, prefix, oldBest, null);
        AttributeSet after = best == null ? null : export(profile, prefix, best, null);
        boolean sourceChanged =
            after != null && oldBest != null && !sameSession(oldBest.source(), best.source());
        if (before != after || sourceChanged) {
          // Members hold our previous advertisement (if any) except its source, to whom
          // nothing is sent back: that decides who needs a withdrawal. The source is named as its
          // session is known now: after a role change it is a member under its new key.
          Peer about = after != null ? best.source() : oldBest.source();
          Peer heldFrom = before == null ? null : namedNow(oldBest.source(), best);
          g.offer(prefix, 0, after, about, before != null, heldFrom);
        }
      }
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
    AttributeSet rules = exportMemo.rules(profile, prefix.ipv6(), route);
    if (rules == null) {
      return null;
    }
    // A prefix-independent policy gives the last answer again for the same inputs: the group's
    // profile, the rules' output, and the received next hop (the policy context), per family.
    boolean memo = profile.exportPolicy().prefixIndependent();
    if (memo
        && profile == exportedProfile
        && rules == exportedRules
        && route.attributes() == exportedFrom
        && prefix.ipv6() == exportedIpv6) {
      return exported;
    }
    AttributeSet out = ExportRules.policy(profile, prefix, route, rules).orElse(null);
    if (memo) {
      exportedProfile = profile;
      exportedRules = rules;
      exportedFrom = route.attributes();
      exportedIpv6 = prefix.ipv6();
      exported = out;
    }
    return out;
  }
}
