package dev.netctl.bgp.rib;

import static dev.netctl.bgp.rib.Fixtures.attrs;
import static dev.netctl.bgp.rib.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AttributeType;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.PathAttribute.Segment;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttributeSetTest {
  @Test
  void equalContentInAnyOrderIsTheSameObject() {
    List<PathAttribute> a =
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.IGP),
            AsPath.sequence(65001, 65002),
            new PathAttribute.MultiExitDisc(5));
    List<PathAttribute> b = new ArrayList<>(a);
    java.util.Collections.reverse(b);
    AttributeSet x = AttributeSet.of(a, ip("192.0.2.1"));
    AttributeSet y = AttributeSet.of(b, ip("192.0.2.1"));
    assertThat(y).isSameAs(x);
    assertThat(x.attributes())
        .extracting(p -> p.type().code())
        .as("sorted by type code")
        .containsExactly(1, 2, 4);
    assertThat(AttributeSet.of(a, ip("192.0.2.2"))).isNotSameAs(x);
  }

  @Test
  void theAttributeListIsAnImmutableListEqualToAnyListOfTheSameAttributes() {
    List<PathAttribute> sorted =
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.EGP),
            AsPath.sequence(65001),
            new PathAttribute.LocalPref(7));
    AttributeSet s = AttributeSet.of(List.of(sorted.get(2), sorted.get(0), sorted.get(1)), null);
    assertThat(s.attributes()).isEqualTo(sorted);
    assertThat(sorted).isEqualTo(s.attributes());
    assertThat(s.attributes().hashCode()).as("List.hashCode contract").isEqualTo(sorted.hashCode());
    assertThat(s.attributes()).isInstanceOf(java.util.RandomAccess.class);
    assertThat(new ArrayList<>(s.attributes())).isEqualTo(sorted);
    assertThat(s.attributes().toArray()).containsExactlyElementsOf(sorted);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> s.attributes().set(0, new PathAttribute.LocalPref(8)))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aDerivedSetKeepsTheObjectsOfItsOriginAndSharesWhatItAdds() {
    AttributeSet one = attrs("192.0.2.1").path(65001, 65002).med(1_234_567).build();
    AttributeSet two = attrs("192.0.2.1").path(65001, 65002).med(1_234_568).build();
    PathAttribute.ClusterList clusters =
        new PathAttribute.ClusterList(List.of(ip4("10.255.255.1")));
    AttributeSet reflectedOne = one.with(clusters);
    AttributeSet reflectedTwo =
        two.with(new PathAttribute.ClusterList(List.of(ip4("10.255.255.1"))));
    assertThat(reflectedOne.asPath()).isSameAs(one.asPath());
    assertThat(reflectedOne.nextHop()).isSameAs(one.nextHop());
    assertThat(reflectedTwo.get(PathAttribute.ClusterList.class).orElseThrow())
        .as("an added attribute equal to one a recent set holds is that object")
        .isSameAs(reflectedOne.get(PathAttribute.ClusterList.class).orElseThrow());
    AttributeSet filtered = one.filter(a -> !(a instanceof PathAttribute.MultiExitDisc));
    assertThat(filtered.med()).isEqualTo(-1);
    assertThat(filtered.attributes()).hasSize(one.attributes().size() - 1);
    assertThat(filtered.asPath()).isSameAs(one.asPath());
    assertThat(one.filter(a -> true)).isSameAs(one);
    assertThat(one.withNextHop(ip("192.0.2.7"), null).asPath()).isSameAs(one.asPath());
  }

  @Test
  void theInternerFindsASetByALookupKeyAndKeepsTheFirstOfEqualCandidates() throws Exception {
    // Entries are weak references to the sets, matched by a lookup's array.
    AttributeInterner interner = new AttributeInterner();
    List<PathAttribute> attributes =
        List.of(new PathAttribute.Origin(PathAttribute.OriginType.IGP), AsPath.sequence(65001));
    AttributeSet first = interner.intern(new AttributeSet(attributes, ip("192.0.2.1"), null));
    assertThat(interner.intern(new AttributeSet(attributes, ip("192.0.2.1"), null)))
        .isSameAs(first);
    PathAttribute[] longer = attributes.toArray(new PathAttribute[3]);
    assertThat(find(interner, longer, 2, ip("192.0.2.1"))).isSameAs(first);
    assertThat(find(interner, longer, 2, ip("192.0.2.2"))).isNull();
    assertThat(find(interner, longer, 1, ip("192.0.2.1"))).isNull();
    assertThat(interner.size()).isEqualTo(1);
    // Once the set is collected its entry goes, and an equal candidate becomes the canonical set.
    int hash = first.hashCode();
    first = null;
    for (int i = 0; i < 50 && interner.size() > 0; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(interner.size()).as("entry of a collected set no longer counted").isZero();
    AttributeSet again = new AttributeSet(attributes, ip("192.0.2.1"), null);
    assertThat(interner.intern(again)).isSameAs(again);
    assertThat(again.hashCode()).isEqualTo(hash);
  }

  @Test
  void entriesOfCollectedSetsGoWithoutLosingTheOthers() throws Exception {
    // Thousands of entries, so stripes grow and probe sequences run into each other: removing
    // every other one (their sets collected) must leave each kept set found by its content.
    AttributeInterner interner = new AttributeInterner();
    int n = 4_000;
    AttributeSet[] kept = new AttributeSet[n];
    for (int i = 0; i < n; i++) {
      AttributeSet s = interner.intern(new AttributeSet(attributes(i), ip("192.0.2.1"), null));
      if (i % 2 == 0) {
        kept[i] = s;
      }
    }
    for (int i = 0; i < 50 && interner.size() > n / 2; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(interner.size())
        .as("entries of the collected half no longer counted")
        .isEqualTo(n / 2);
    for (int i = 0; i < n; i++) {
      List<PathAttribute> a = attributes(i);
      AttributeSet found = find(interner, a.toArray(new PathAttribute[0]), 2, ip("192.0.2.1"));
      if (i % 2 == 0) {
        assertThat(found).as("kept set %d", i).isSameAs(kept[i]);
      } else {
        assertThat(found).as("collected set %d", i).isNull();
        AttributeSet again = new AttributeSet(a, ip("192.0.2.1"), null);
        assertThat(interner.intern(again)).isSameAs(again);
        kept[i] = again;
      }
    }
    assertThat(interner.size()).isEqualTo(n);
    // The odd ones collected again, then sets of other content (a churn's new ones) fill the
    // stripes until they are rebuilt without the entries of collected sets: every set still held
    // is found, each new one interned once, and a collected one is not found.
    for (int i = 1; i < n; i += 2) {
      kept[i] = null;
    }
    for (int i = 0; i < 50 && interner.size() > n / 2; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(interner.size())
        .as("entries of the collected half no longer counted")
        .isEqualTo(n / 2);
    AttributeSet[] more = new AttributeSet[n];
    for (int i = 0; i < n; i++) {
      PathAttribute[] a = attributes(n + i).toArray(new PathAttribute[0]);
      int hash = AttributeContent.hash(a, 2, ip("192.0.2.1"), null);
      more[i] = interner.intern(a, 2, ip("192.0.2.1"), null, hash, null);
      assertThat(more[i].attributes()).as("new set %d", i).containsExactly(a);
      assertThat(interner.intern(a, 2, ip("192.0.2.1"), null, hash, null)).isSameAs(more[i]);
    }
    for (int i = 0; i < n; i++) {
      AttributeSet found =
          find(interner, attributes(i).toArray(new PathAttribute[0]), 2, ip("192.0.2.1"));
      if (i % 2 == 0) {
        assertThat(found).as("kept set %d", i).isSameAs(kept[i]);
      } else {
        assertThat(found).as("collected set %d", i).isNull();
      }
      assertThat(
              find(interner, attributes(n + i).toArray(new PathAttribute[0]), 2, ip("192.0.2.1")))
          .as("new set %d", i)
          .isSameAs(more[i]);
    }
    assertThat(interner.size()).isEqualTo(n / 2 + n);
  }

  @Test
  void setsWhoseHashesAreZeroAndOneAreBothInterned() {
    // The interner marks a free slot with hash 0 and keeps a set of hash 0 as 1: the two must
    // stay apart, each found by its content. MED m alone, no next hop: hash (31 + m) * 961.
    AttributeInterner interner = new AttributeInterner();
    PathAttribute[] zero = {new PathAttribute.MultiExitDisc(0x1_0000_0000L - 31)};
    PathAttribute[] one = {new PathAttribute.MultiExitDisc(0xCC52_0C22L)};
    assertThat(AttributeContent.hash(zero, 1, null, null)).isZero();
    assertThat(AttributeContent.hash(one, 1, null, null)).isEqualTo(1);
    AttributeSet z = interner.intern(zero, 1, null, null, 0, null);
    AttributeSet o = interner.intern(one, 1, null, null, 1, null);
    assertThat(o).isNotSameAs(z);
    assertThat(interner.intern(zero, 1, null, null, 0, null)).isSameAs(z);
    assertThat(find(interner, one, 1, null)).isSameAs(o);
    assertThat(find(interner, zero, 1, null)).isSameAs(z);
    assertThat(interner.size()).isEqualTo(2);
  }

  private static List<PathAttribute> attributes(int i) {
    return List.of(AsPath.sequence(65001 + i % 7), new PathAttribute.MultiExitDisc(i));
  }

  @Test
  void attributesOutOfOrderAreSortedStablyByTypeCode() {
    // Unknown attributes of equal codes cannot both stay (the first is kept); of different codes
    // they sort among the known ones, whatever the order they came in.
    PathAttribute u20 = new PathAttribute.Unknown(0xc0, 20, new byte[] {1});
    PathAttribute u130 = new PathAttribute.Unknown(0xc0, 130, new byte[] {1});
    PathAttribute med = new PathAttribute.MultiExitDisc(3);
    PathAttribute origin = new PathAttribute.Origin(PathAttribute.OriginType.IGP);
    AttributeSet s = AttributeSet.of(List.of(u130, u20, med, origin), ip("192.0.2.1"));
    assertThat(s.attributes()).containsExactly(origin, med, u20, u130);
    assertThat(AttributeSet.of(List.of(origin, med, u20, u130), ip("192.0.2.1"))).isSameAs(s);
  }

  @Test
  void aNewSetHoldsTheAttributeObjectsOfAnEarlierSetWhereTheyAreEqual() {
    // What a churn that changes only the MED keeps per new set: the MED, not new copies of the
    // AS_PATH and the rest. A fresh interner: the global one's cache is shared with other tests.
    AttributeInterner interner = new AttributeInterner();
    AsPath path = AsPath.sequence(65001, 65002);
    assertThat(interner.canonical(path)).isSameAs(path);
    AsPath again = AsPath.sequence(65001, 65002);
    assertThat(interner.canonical(again)).isSameAs(path);
    assertThat(interner.canonical(AsPath.sequence(65001))).isNotEqualTo(path);
    // An equal value of another type is never substituted.
    assertThat(interner.canonical(ip("192.0.2.1"))).isEqualTo(ip("192.0.2.1"));
    assertThat(interner.canonical((Object) null)).isNull();

    AttributeSet first =
        AttributeSet.of(
            List.of(AsPath.sequence(64999, 65003), new PathAttribute.MultiExitDisc(1)),
            ip("192.0.2.9"));
    AttributeSet second =
        AttributeSet.of(
            List.of(AsPath.sequence(64999, 65003), new PathAttribute.MultiExitDisc(2)),
            ip("192.0.2.9"));
    assertThat(second).isNotSameAs(first);
    assertThat(second.asPath()).isEqualTo(first.asPath());
    assertThat(second.nextHop()).isEqualTo(first.nextHop());
    assertThat(second.med()).isEqualTo(2);

    // Long or opaque values are not kept by the cache (it holds them after their sets are gone).
    long[] longPath = new long[17];
    java.util.Arrays.fill(longPath, 64777);
    PathAttribute unknown = new PathAttribute.Unknown(0xc0, 99, new byte[] {7});
    AttributeSet withLong =
        AttributeSet.of(List.of(AsPath.sequence(longPath), unknown), ip("192.0.2.9"));
    AttributeSet withLongAgain =
        AttributeSet.of(
            List.of(
                AsPath.sequence(longPath),
                new PathAttribute.Unknown(0xc0, 99, new byte[] {7}),
                new PathAttribute.MultiExitDisc(3)),
            ip("192.0.2.9"));
    assertThat(withLongAgain.asPath()).isNotSameAs(withLong.asPath());
    assertThat(withLongAgain.attributes()).noneMatch(a -> a == unknown);
    assertThat(withLong.attributes()).containsExactly(AsPath.sequence(longPath), unknown);
  }

  @Test
  void aRepeatedTypeKeepsItsFirstOccurrenceWhateverItsCode() {
    // Codes below 64, from 64 to 127 and from 128 up are tracked apart; each keeps its first.
    PathAttribute med = new PathAttribute.MultiExitDisc(1);
    PathAttribute low = new PathAttribute.Unknown(0xc0, 99, new byte[] {1});
    PathAttribute high = new PathAttribute.Unknown(0xc0, 200, new byte[] {1});
    PathAttribute higher = new PathAttribute.Unknown(0xc0, 255, new byte[] {1});
    AttributeSet s =
        AttributeSet.of(
            List.of(
                high,
                med,
                new PathAttribute.Unknown(0xc0, 200, new byte[] {2}),
                low,
                new PathAttribute.MultiExitDisc(2),
                higher,
                new PathAttribute.Unknown(0xc0, 99, new byte[] {2}),
                new PathAttribute.Unknown(0xc0, 255, new byte[] {2})),
            ip("192.0.2.1"));
    assertThat(s.attributes()).containsExactly(med, low, high, higher);
    assertThat(s.med()).isEqualTo(1);
  }

  @Test
  void nextHopAndMpAttributesAreHeldOutsideTheList() {
    AttributeSet s =
        AttributeSet.of(
            List.of(
                new PathAttribute.NextHop(Fixtures.v4("198.51.100.1")),
                new PathAttribute.MpUnreach(
                    dev.netctl.bgp.codec.AddressFamily.IPV6_UNICAST, List.of()),
                new PathAttribute.LocalPref(300)),
            ip("192.0.2.1"));
    assertThat(s.attributes()).containsExactly(new PathAttribute.LocalPref(300));
    assertThat(s.nextHop()).isEqualTo(ip("192.0.2.1"));
    assertThat(s.localPref()).isEqualTo(300);
    assertThat(s.med()).isEqualTo(-1);
  }

  @Test
  void derivationsReturnInternedSetsAndLeaveTheOriginalAlone() {
    AttributeSet base = attrs("192.0.2.1").path(65001).localPref(100).build();
    AttributeSet prepended = base.prependAs(65000, 2);
    assertThat(prepended.asPath()).isEqualTo(AsPath.sequence(65000, 65000, 65001));
    assertThat(base.asPath()).isEqualTo(AsPath.sequence(65001));
    assertThat(base.prependAs(65000, 2)).isSameAs(prepended);
    assertThat(base.without(AttributeType.LOCAL_PREF).localPref()).isEqualTo(-1);
    assertThat(base.with(new PathAttribute.LocalPref(100))).isSameAs(base);
    assertThat(base.withNextHop(ip("192.0.2.1"), null)).isSameAs(base);
  }

  @Test
  void withTwoAttributesIsTheSetThatTwoSingleWithsMake() {
    AttributeSet base = attrs("192.0.2.1").path(65001).localPref(100).med(5).build();
    PathAttribute originator = new PathAttribute.OriginatorId(ip4("192.0.2.9"));
    PathAttribute clusters = new PathAttribute.ClusterList(List.of(ip4("192.0.2.254")));
    AttributeSet both = base.with(originator, clusters);
    assertThat(both).isSameAs(base.with(originator).with(clusters));
    assertThat(both.originatorId()).isEqualTo(0xc0000209L);
    assertThat(both.clusterList()).containsExactly(ip4("192.0.2.254"));
    assertThat(both.med()).isEqualTo(5);
    // Each replaces the attribute of its own type.
    PathAttribute lower = new PathAttribute.LocalPref(50);
    assertThat(both.with(lower, new PathAttribute.MultiExitDisc(9)))
        .isSameAs(both.with(lower).with(new PathAttribute.MultiExitDisc(9)));
    assertThat(both.with(lower, new PathAttribute.MultiExitDisc(9)).localPref()).isEqualTo(50);
    assertThat(base.originatorId()).as("the original is left alone").isEqualTo(-1);
  }

  @Test
  void aSetWithAttributesAddedAfterItsOwnIsTheSetOfThatContent() {
    // Such a set's hash is continued from the set it came from (a reflected one adds ORIGINATOR_ID
    // and CLUSTER_LIST last): it must be the hash of its content, or the two would not be one.
    PathAttribute originator = new PathAttribute.OriginatorId(ip4("192.0.2.9"));
    PathAttribute clusters = new PathAttribute.ClusterList(List.of(ip4("192.0.2.254")));
    for (AttributeSet base :
        List.of(
            attrs("192.0.2.1").path(65001, 65002).localPref(100).med(5).build(),
            AttributeSet.of(List.of(), null),
            AttributeSet.of(
                List.of(new PathAttribute.MultiExitDisc(3)), ip("2001:db8::1"), ip("fe80::1")))) {
      List<PathAttribute> expected = new java.util.ArrayList<>(base.attributes());
      expected.addAll(List.of(originator, clusters));
      AttributeSet reflected = base.with(originator, clusters);
      assertThat(reflected.attributes()).containsExactlyElementsOf(expected);
      assertThat(reflected.hashCode())
          .isEqualTo(
              AttributeContent.hash(
                  expected.toArray(new PathAttribute[0]),
                  expected.size(),
                  base.nextHop(),
                  base.linkLocalNextHop()));
      assertThat(AttributeSet.of(expected, base.nextHop(), base.linkLocalNextHop()))
          .isSameAs(reflected);
    }
  }

  @Test
  void withPutsTheAttributesGivenInTypeOrderWhateverTheirOrderOrPlace() {
    AttributeSet base = attrs("192.0.2.1").path(65001).localPref(100).med(5).build();
    PathAttribute origin = new PathAttribute.Origin(PathAttribute.OriginType.EGP);
    PathAttribute clusters = new PathAttribute.ClusterList(List.of(ip4("192.0.2.254")));
    PathAttribute unknown =
        new PathAttribute.Unknown(
            PathAttribute.FLAG_OPTIONAL | PathAttribute.FLAG_TRANSITIVE, 200, new byte[] {1});
    List<PathAttribute> expected = new java.util.ArrayList<>(base.attributes());
    expected.removeIf(a -> a instanceof PathAttribute.Origin);
    expected.addAll(List.of(origin, clusters, unknown));
    AttributeSet all = AttributeSet.of(expected, ip("192.0.2.1"));
    assertThat(base.with(origin, clusters).with(unknown)).isSameAs(all);
    assertThat(base.with(clusters, origin).with(unknown)).isSameAs(all);
    assertThat(base.with(unknown, origin).with(clusters)).isSameAs(all);
    assertThat(all.attributes())
        .extracting(a -> a.type().code() & 0xff)
        .isSortedAccordingTo(Integer::compare);
  }

  private static java.net.Inet4Address ip4(String literal) {
    return (java.net.Inet4Address) ip(literal);
  }

  @Test
  void prependStartsANewSegmentWhenTheFirstIsASetOrFull() {
    AttributeSet set =
        attrs("192.0.2.1").path(new AsPath(List.of(Segment.set(1, 2)))).build().prependAs(9, 1);
    assertThat(set.asPath().segments()).containsExactly(Segment.sequence(9), Segment.set(1, 2));
    long[] full = new long[255];
    java.util.Arrays.fill(full, 7);
    AttributeSet long255 = attrs("192.0.2.1").path(full).build().prependAs(9, 1);
    assertThat(long255.asPath().segments()).hasSize(2);
    assertThat(long255.asPathLength()).isEqualTo(256);
  }

  @Test
  void unreferencedSetsAreCollected() throws InterruptedException {
    int before = AttributeInterner.GLOBAL.size();
    for (int i = 0; i < 1000; i++) {
      attrs("192.0.2.1").med(1_000_000 + i).build();
    }
    // Weak interning: once nothing holds them the GC may clear them; give it a bounded chance.
    for (int i = 0; i < 50 && AttributeInterner.GLOBAL.size() > before + 500; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(AttributeInterner.GLOBAL.size()).isLessThan(before + 500);
  }

  // A lookup as AttributeSet.of makes it: the first size of an array, its hash computed once.
  private static AttributeSet find(
      AttributeInterner interner, PathAttribute[] attributes, int size, InetAddress nextHop) {
    return interner.find(
        attributes, size, nextHop, null, AttributeContent.hash(attributes, size, nextHop, null));
  }

  // Whether the content of a whole list and next hops is the same as another's.
  private static boolean same(
      List<PathAttribute> a,
      InetAddress nh,
      InetAddress ll,
      List<PathAttribute> b,
      InetAddress nh2,
      InetAddress ll2) {
    PathAttribute[] x = a.toArray(new PathAttribute[0]);
    PathAttribute[] y = b.toArray(new PathAttribute[0]);
    return AttributeContent.same(x, x.length, nh, ll, y, y.length, nh2, ll2);
  }

  @Test
  void contentComparesAttributesAndBothNextHops() {
    List<PathAttribute> attributes = List.of(new PathAttribute.LocalPref(100));
    InetAddress nh = ip("10.0.0.1");
    InetAddress ll = ip("fe80::1");
    assertThat(same(attributes, nh, ll, List.of(new PathAttribute.LocalPref(100)), nh, ll))
        .as("equal attributes, equal next hops")
        .isTrue();
    assertThat(same(attributes, nh, ll, List.of(new PathAttribute.LocalPref(200)), nh, ll))
        .isFalse();
    assertThat(same(attributes, nh, ll, attributes, ip("10.0.0.2"), ll)).isFalse();
    assertThat(same(attributes, nh, ll, attributes, nh, ip("fe80::2"))).isFalse();
    assertThat(same(attributes, nh, ll, attributes, nh, null)).isFalse();
    assertThat(same(attributes, nh, null, attributes, nh, ll)).isFalse();
  }

  @Test
  void contentComparesOnlyTheFirstSizeAttributesOfALookupsArray() {
    // A lookup's key is the array being built, longer than the attributes kept in it.
    PathAttribute[] longer = {
      new PathAttribute.LocalPref(100), new PathAttribute.MultiExitDisc(1), null
    };
    PathAttribute[] stored = {new PathAttribute.LocalPref(100)};
    InetAddress nh = ip("10.0.0.1");
    assertThat(AttributeContent.same(longer, 1, nh, null, stored, 1, nh, null)).isTrue();
    assertThat(AttributeContent.hash(longer, 1, nh, null))
        .isEqualTo(AttributeContent.hash(stored, 1, nh, null))
        .as("as List.hashCode of the attributes, with the next hops")
        .isEqualTo((List.of(stored[0]).hashCode() * 31 + nh.hashCode()) * 31);
    assertThat(AttributeContent.same(longer, 2, nh, null, stored, 1, nh, null)).isFalse();
  }
}
