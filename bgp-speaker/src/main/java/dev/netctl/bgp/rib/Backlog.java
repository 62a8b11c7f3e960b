package dev.netctl.bgp.rib;

import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a member split off its {@link UpdateGroup} (its channel backed up) missed: the keys (prefix
 * and path id) of the changes drained without it, each once however often it changed, and the
 * table-dump markers (End-of-RIB, Begin/End-of-Route-Refresh) it was due. When it catches up, the
 * RIB sends it the current state of exactly those keys, framed by those markers ({@link CatchUp}).
 *
 * <p><b>Bounded.</b> Keys cost ≈ 16 bytes each (IPv4), so a member stalled through a full table
 * load would note the whole table. Past {@code cap} keys the backlog goes <em>whole</em>: it drops
 * the keys of announcements and keeps only those of withdrawals, and the catch-up walks the whole
 * Loc-RIB instead (re-deriving the member's Adj-RIB-Out from it, as FRR and BIRD effectively do)
 * plus the current state of the withdrawn keys, so prefixes gone while it was away are withdrawn.
 * What it holds is then bounded by the distinct prefixes withdrawn while the member was away.
 * Touched only inside the group's serialized methods.
 */
final class Backlog {
  /** Keys noted before the backlog goes whole: ≈ 1.5 MB of table for IPv4. */
  static final int DEFAULT_CAP = 1 << 16;

  private final int cap;
  // IPv4 prefixes without path id, packed (PrefixTable.pack); the value says whether a withdrawal
  // of the key was among the changes missed.
  private PrefixTable<Boolean> plain = new PrefixTable<>();
  // Everything else: IPv6, and paths with an ADD-PATH id; the same value.
  private final Map<Nlri, Boolean> others = new HashMap<>();
  private boolean whole;
  private final List<BgpMessage> begin = new ArrayList<>();
  private final List<BgpMessage> end = new ArrayList<>();
  // The member is moving to another group rather than waiting to catch up (see UpdateGroup.leave).
  private boolean leaving;
  // The catch-up in progress: this backlog collects what changes meanwhile.
  private CatchUp round;

  Backlog(int cap) {
    this.cap = cap;
  }

  Backlog() {
    this(DEFAULT_CAP);
  }

  /**
   * Notes a change of {@code prefix} (or, when null, of the packed IPv4 prefix {@code packed});
   * {@code withdrawal} when the change withdrew it.
   */
  void mark(Prefix prefix, long packed, int pathId, boolean withdrawal) {
    if (whole && !withdrawal) {
      return; // the walk of the whole table sends its current state
    }
    if (prefix == null) {
      int slot = plain.slot(packed);
      if (slot < 0) {
        plain.insert(packed, withdrawal);
      } else if (withdrawal) {
        plain.setAt(slot, Boolean.TRUE);
      }
    } else if (pathId == 0 && !prefix.ipv6()) {
      mark(null, PrefixTable.pack(prefix), 0, withdrawal);
      return;
    } else {
      others.merge(new Nlri(pathId, prefix), withdrawal, Boolean::logicalOr);
    }
    if (!whole && size() > cap) {
      goWhole();
    }
  }

  /** From now on the catch-up walks the whole table: only withdrawn keys are kept. */
  void goWhole() {
    whole = true;
    PrefixTable<Boolean> kept = new PrefixTable<>();
    plain.forEachIpv4(
        (key, withdrawn) -> {
          if (withdrawn) {
            kept.insert(key, Boolean.TRUE);
          }
        });
    plain = kept;
    others.values().removeIf(withdrawn -> !withdrawn);
  }

  /** Whether the catch-up must walk the whole table (see the class comment). */
  boolean whole() {
    return whole;
  }

  /** Notes the markers a table dump owed the member: sent before and after the catch-up. */
  void markers(List<BgpMessage> before, List<BgpMessage> after) {
    begin.addAll(before);
    end.addAll(after);
  }

  /**
   * Takes back everything of {@code older}, a backlog noted before this one (a catch-up of it was
   * cancelled): its keys, its whole-table walk and its markers, which frame this one's.
   */
  void absorbOlder(Backlog older) {
    if (older.whole && !whole) {
      goWhole();
    }
    older.forEach((prefix, pathId, withdrawal) -> mark(prefix, 0, pathId, withdrawal));
    begin.addAll(0, older.begin);
    end.addAll(0, older.end);
  }

  /** Marks the member as moving out of the group, not coming back to it. */
  void leave() {
    leaving = true;
  }

  boolean leaving() {
    return leaving;
  }

  /** The catch-up in progress, or null. */
  CatchUp round() {
    return round;
  }

  void round(CatchUp round) {
    this.round = round;
  }

  /** Number of keys noted. */
  int size() {
    return plain.size() + others.size();
  }

  /** Whether nothing at all was missed. */
  boolean isEmpty() {
    return size() == 0 && !whole && begin.isEmpty() && end.isEmpty();
  }

  List<BgpMessage> begin() {
    return begin;
  }

  List<BgpMessage> end() {
    return end;
  }

  /** Visitor over the keys noted. */
  interface KeyVisitor {
    void visit(Prefix prefix, int pathId, boolean withdrawal);
  }

  /** Visits every key noted. */
  void forEach(KeyVisitor visitor) {
    plain.forEachIpv4((key, withdrawn) -> visitor.visit(PrefixTable.unpack(key), 0, withdrawn));
    others.forEach((n, withdrawn) -> visitor.visit(n.prefix(), n.pathId(), withdrawn));
  }
}
