package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a member split off its {@link UpdateGroup} (its channel backed up) missed: the keys (prefix
 * and path id) of the changes drained without it, each once however often it changed, and the
 * table-dump markers (End-of-RIB, Begin/End-of-Route-Refresh) it was due. When it catches up, the
 * RIB sends it the current state of exactly those keys, framed by those markers, so memory is
 * bounded by the number of distinct prefixes (≈ 16 bytes each for IPv4) rather than growing with
 * every UPDATE it did not read. Touched only inside the group's serialized drain.
 */
final class Backlog {
  // IPv4 prefixes without path id, packed (PrefixTable.pack); the value only marks presence.
  private final PrefixTable<Boolean> plain = new PrefixTable<>();
  // Everything else: IPv6, and paths with an ADD-PATH id.
  private final Set<Nlri> others = new HashSet<>();
  private final List<BgpMessage> begin = new ArrayList<>();
  private final List<BgpMessage> end = new ArrayList<>();
  // The member is moving to another group rather than waiting to catch up (see UpdateGroup.leave).
  private boolean leaving;

  /** Notes a change of {@code prefix} (or, when null, of the packed IPv4 prefix {@code packed}). */
  void mark(Prefix prefix, long packed, int pathId) {
    if (prefix == null) {
      if (plain.slot(packed) < 0) {
        plain.insert(packed, Boolean.TRUE, null);
      }
    } else if (pathId == 0 && !prefix.ipv6()) {
      mark(null, PrefixTable.pack(prefix), 0);
    } else {
      others.add(new Nlri(pathId, prefix));
    }
  }

  /** Notes the markers a table dump owed the member: sent before and after the catch-up. */
  void markers(List<BgpMessage> before, List<BgpMessage> after) {
    begin.addAll(before);
    end.addAll(after);
  }

  /** Marks the member as moving out of the group, not coming back to it. */
  void leave() {
    leaving = true;
  }

  boolean leaving() {
    return leaving;
  }

  /** Number of keys noted. */
  int size() {
    return plain.size() + others.size();
  }

  /** Whether nothing at all was missed. */
  boolean isEmpty() {
    return size() == 0 && begin.isEmpty() && end.isEmpty();
  }

  List<BgpMessage> begin() {
    return begin;
  }

  List<BgpMessage> end() {
    return end;
  }

  /** Visitor over the keys noted. */
  interface KeyVisitor {
    void visit(Prefix prefix, int pathId);
  }

  /** Visits every key noted. */
  void forEach(KeyVisitor visitor) {
    plain.forEachIpv4((key, value, companion) -> visitor.visit(PrefixTable.unpack(key), 0));
    for (Nlri n : others) {
      visitor.visit(n.prefix(), n.pathId());
    }
  }
}
