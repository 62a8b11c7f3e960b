package dev.netctl.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Prefix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocRibTest {
  private final LocRib loc = new LocRib();
  private final Peer a = Fixtures.ibgp("10.0.0.1");
  private final Peer b = Fixtures.ibgp("10.0.0.2");
  private final AttributeSet x = Fixtures.attrs("10.0.0.1").build();
  private final AttributeSet y = Fixtures.attrs("10.0.0.2").path(65001).build();
  private final Prefix p = Prefix.parse("10.244.0.0/26");

  private static Destination of(Route[] paths, Route best) {
    Destination d = new Destination();
    d.set(
        paths,
        best == null ? BestPath.Selection.NONE : new BestPath.Selection(best, List.of(best)));
    return d;
  }

  @Test
  void aSelectedSinglePathIsStoredCompactAndReadBackAsADestination() {
    Route r = new Route(a, 0, x, 1);
    loc.put(p, Destination.selected(r));
    int slot = loc.slot(p);
    assertThat(slot).isNotNegative();
    assertThat(loc.compactSource(slot)).isSameAs(a);
    assertThat(loc.compactAttributes(slot)).isSameAs(x);
    Destination d = loc.get(p);
    assertThat(d.best()).isEqualTo(r);
    assertThat(d.paths()).containsExactly(r);
    assertThat(d.multipath()).containsExactly(r);
  }

  @Test
  void whatACompactEntryCannotSayStaysADestination() {
    Route withPathId = new Route(a, 7, x, 1);
    Route secondLocalId = new Route(a, 0, x, 2);
    Route unusable = new Route(a, 0, x, 1);
    Prefix p2 = Prefix.parse("10.244.0.64/26");
    Prefix p3 = Prefix.parse("10.244.0.128/26");
    Prefix p4 = Prefix.parse("10.244.0.192/26");
    Prefix v6 = Prefix.parse("2001:db8::/64");
    loc.put(p, Destination.selected(withPathId));
    loc.put(p2, Destination.selected(secondLocalId));
    loc.put(p3, of(new Route[] {unusable}, null));
    Route ra = new Route(a, 0, x, 1);
    Route rb = new Route(b, 0, y, 2);
    loc.put(p4, of(new Route[] {ra, rb}, ra));
    loc.put(v6, Destination.selected(new Route(a, 0, x, 1)));
    for (Prefix q : List.of(p, p2, p3, p4)) {
      assertThat(loc.compactSource(loc.slot(q))).as(q.toString()).isNull();
    }
    assertThat(loc.slot(v6)).isEqualTo(-1);
    assertThat(loc.get(p).best()).isEqualTo(withPathId);
    assertThat(loc.get(p2).best().localId()).isEqualTo(2);
    assertThat(loc.get(p3).best()).isNull();
    assertThat(loc.get(p4).paths()).containsExactly(ra, rb);
    assertThat(loc.get(v6).best().source()).isEqualTo(a);
    assertThat(loc.size()).isEqualTo(5);
  }

  @Test
  void entriesMoveBetweenFormsAndSlotOperationsKeepTheTableConsistent() {
    Route ra = new Route(a, 0, x, 1);
    loc.put(p, Destination.selected(ra));
    // A second path turns it into a Destination, losing it makes it compact again.
    Route rb = new Route(b, 0, y, 2);
    loc.put(p, of(new Route[] {ra, rb}, ra));
    assertThat(loc.compactSource(loc.slot(p))).isNull();
    loc.put(p, Destination.selected(ra));
    assertThat(loc.compactSource(loc.slot(p))).isSameAs(a);
    // Hundreds of prefixes through insert, set and remove by slot, across table growth.
    Map<Prefix, AttributeSet> expected = new HashMap<>();
    for (int i = 0; i < 500; i++) {
      Prefix q = Prefix.ipv4(0x0a000000 + (i << 8), 24);
      loc.insertCompact(q, a, x);
      expected.put(q, x);
    }
    for (int i = 0; i < 500; i += 3) {
      Prefix q = Prefix.ipv4(0x0a000000 + (i << 8), 24);
      loc.setCompact(loc.slot(q), b, y);
      expected.put(q, y);
    }
    for (int i = 0; i < 500; i += 5) {
      Prefix q = Prefix.ipv4(0x0a000000 + (i << 8), 24);
      loc.removeAt(loc.slot(q));
      expected.remove(q);
    }
    loc.remove(p);
    assertThat(loc.size()).isEqualTo(expected.size());
    Map<Prefix, AttributeSet> seen = new HashMap<>();
    List<Peer> sources = new ArrayList<>();
    loc.forEach(
        (q, d) -> {
          seen.put(q, d.best().attributes());
          sources.add(d.best().source());
        });
    assertThat(seen).isEqualTo(expected);
    assertThat(sources).containsOnly(a, b);
  }

  private AdjRibIn sharedFrom(Peer peer, Prefix prefix, AttributeSet attrs) {
    AdjRibIn in = new AdjRibIn(peer, new PeerCounts());
    loc.insertShared(prefix, in, attrs);
    in.addShared();
    return in;
  }

  @Test
  void aSharedEntryReadsAsItsPeersPathAndLivesOnlyInTheLocRib() {
    AdjRibIn in = sharedFrom(a, p, x);
    int slot = loc.slot(p);
    assertThat(loc.sharedOwner(slot)).isSameAs(in);
    assertThat(loc.compactSource(slot)).as("not a plain compact entry").isNull();
    assertThat(loc.get(p).best()).isEqualTo(new Route(a, 0, x, 1));
    assertThat(in.size()).isEqualTo(1);
    assertThat(in.stores(p)).isFalse();
    List<Object> visited = new ArrayList<>();
    loc.forEachShared(in, (prefix, pathId, attrs) -> visited.add(List.of(prefix, pathId, attrs)));
    assertThat(visited).containsExactly(List.of(p, 0, x));
  }

  @Test
  void puttingTheSamePathBackKeepsItShared() {
    AdjRibIn in = sharedFrom(a, p, x);
    loc.put(p, Destination.selected(new Route(a, 0, x, 1)));
    assertThat(loc.sharedOwner(loc.slot(p))).isSameAs(in);
    assertThat(in.stores(p)).isFalse();
  }

  @Test
  void anyOtherChangeToASharedEntryPutsThePathBackIntoTheAdjRibIn() {
    AdjRibIn in = sharedFrom(a, p, x);
    loc.put(p, Destination.selected(new Route(a, 0, y, 1))); // import policy changed it
    assertThat(loc.sharedOwner(loc.slot(p))).isNull();
    assertThat(in.get(p, 0)).isSameAs(x);
    assertThat(in.size()).as("counted once").isEqualTo(1);
    assertThat(in.sharedCount()).isZero();

    Prefix q = Prefix.parse("10.244.1.0/26");
    AdjRibIn other = sharedFrom(b, q, y);
    loc.remove(q);
    assertThat(loc.get(q)).isNull();
    assertThat(other.get(q, 0)).isSameAs(y);
    assertThat(other.size()).isEqualTo(1);

    Prefix r = Prefix.parse("10.244.2.0/26");
    AdjRibIn third = sharedFrom(b, r, x);
    loc.unshare(r);
    assertThat(loc.compactSource(loc.slot(r))).isSameAs(b);
    assertThat(third.get(r, 0)).isSameAs(x);
  }

  @Test
  void unsharingAllOfAPeerRestoresOrForgetsExactlyItsEntries() {
    AdjRibIn in = sharedFrom(a, p, x);
    Prefix q = Prefix.parse("10.244.1.0/26");
    loc.insertShared(q, in, y);
    in.addShared();
    Prefix others = Prefix.parse("10.244.2.0/26");
    AdjRibIn other = sharedFrom(b, others, x);

    long[] keys = loc.unshareAll(in, true);
    assertThat(keys).containsExactlyInAnyOrder(PackedPrefixTable.key(p), PackedPrefixTable.key(q));
    assertThat(in.get(p, 0)).isSameAs(x);
    assertThat(in.get(q, 0)).isSameAs(y);
    assertThat(in.size()).isEqualTo(2);
    assertThat(loc.compactSource(loc.slot(p))).isSameAs(a);
    assertThat(loc.sharedOwner(loc.slot(others))).isSameAs(other);

    assertThat(loc.unshareAll(other, false)).containsExactly(PackedPrefixTable.key(others));
    assertThat(other.sharedCount()).isZero();
    assertThat(other.stores(others)).as("forgotten, not restored").isFalse();
  }
}
