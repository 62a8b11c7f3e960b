package dev.netctl.bgp.codec;

import static dev.netctl.bgp.codec.EqualityCheck.check;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.PathAttribute.Aggregator;
import dev.netctl.bgp.codec.PathAttribute.As4Aggregator;
import dev.netctl.bgp.codec.PathAttribute.As4Path;
import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.PathAttribute.AtomicAggregate;
import dev.netctl.bgp.codec.PathAttribute.ClusterList;
import dev.netctl.bgp.codec.PathAttribute.Communities;
import dev.netctl.bgp.codec.PathAttribute.LargeCommunities;
import dev.netctl.bgp.codec.PathAttribute.LargeCommunity;
import dev.netctl.bgp.codec.PathAttribute.LocalPref;
import dev.netctl.bgp.codec.PathAttribute.MpReach;
import dev.netctl.bgp.codec.PathAttribute.MpUnreach;
import dev.netctl.bgp.codec.PathAttribute.MultiExitDisc;
import dev.netctl.bgp.codec.PathAttribute.NextHop;
import dev.netctl.bgp.codec.PathAttribute.Origin;
import dev.netctl.bgp.codec.PathAttribute.OriginType;
import dev.netctl.bgp.codec.PathAttribute.OriginatorId;
import dev.netctl.bgp.codec.PathAttribute.Segment;
import dev.netctl.bgp.codec.PathAttribute.SegmentType;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The written-out equals/hashCode of every attribute record (see {@link PathAttribute}). */
class PathAttributeEqualityTest {
  private static Inet4Address v4(String text) {
    try {
      return (Inet4Address) InetAddress.getByName(text);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static InetAddress v6(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void origin() {
    check(() -> new Origin(OriginType.EGP), List.of(new Origin(OriginType.IGP)));
  }

  @Test
  void segment() {
    check(
        () -> new Segment(SegmentType.AS_SEQUENCE, new ArrayList<>(List.of(65001L, 65002L))),
        List.of(
            new Segment(SegmentType.AS_SET, List.of(65001L, 65002L)),
            Segment.sequence(65001, 65003)));
  }

  @Test
  void asPath() {
    check(
        () -> new AsPath(List.of(Segment.sequence(65001, 65002))),
        List.of(AsPath.sequence(65001), AsPath.EMPTY));
  }

  @Test
  void nextHop() {
    check(() -> new NextHop(v4("192.0.2.1")), List.of(new NextHop(v4("192.0.2.2"))));
  }

  @Test
  void multiExitDisc() {
    check(() -> new MultiExitDisc(10), List.of(new MultiExitDisc(11)));
  }

  @Test
  void localPref() {
    check(() -> new LocalPref(100), List.of(new LocalPref(200)));
  }

  @Test
  void atomicAggregate() {
    check(AtomicAggregate::new, List.of());
    assertThat(new AtomicAggregate().equals(new LocalPref(0))).isFalse();
  }

  @Test
  void aggregator() {
    check(
        () -> new Aggregator(65001, v4("192.0.2.1")),
        List.of(new Aggregator(65002, v4("192.0.2.1")), new Aggregator(65001, v4("192.0.2.2"))));
  }

  @Test
  void communities() {
    check(
        () -> new Communities(List.of(1, 2)),
        List.of(new Communities(List.of(1)), new Communities(List.of(2, 1))));
  }

  @Test
  void originatorId() {
    check(() -> new OriginatorId(v4("10.0.0.1")), List.of(new OriginatorId(v4("10.0.0.2"))));
  }

  @Test
  void clusterList() {
    check(
        () -> new ClusterList(List.of(v4("10.0.0.1"))),
        List.of(new ClusterList(List.of(v4("10.0.0.2"))), new ClusterList(List.of())));
  }

  @Test
  void mpReach() {
    List<InetAddress> hops = List.of(v6("2001:db8::1"));
    List<Nlri> nlri = List.of(Nlri.of("2001:db8:1::/48"));
    check(
        () -> new MpReach(AddressFamily.IPV6_UNICAST, hops, nlri),
        List.of(
            new MpReach(AddressFamily.of(2, 2), hops, nlri),
            new MpReach(AddressFamily.IPV6_UNICAST, List.of(v6("2001:db8::2")), nlri),
            new MpReach(AddressFamily.IPV6_UNICAST, hops, List.of(Nlri.of("2001:db8:2::/48")))));
  }

  @Test
  void mpUnreach() {
    List<Nlri> nlri = List.of(Nlri.of("2001:db8:1::/48"));
    check(
        () -> new MpUnreach(AddressFamily.IPV6_UNICAST, nlri),
        List.of(
            new MpUnreach(AddressFamily.of(2, 2), nlri),
            new MpUnreach(AddressFamily.IPV6_UNICAST, List.of())));
  }

  @Test
  void as4Path() {
    check(
        () -> new As4Path(List.of(Segment.sequence(4200000000L))),
        List.of(new As4Path(List.of(Segment.sequence(4200000001L)))));
    assertThat(new As4Path(List.of()).equals(new AsPath(List.of()))).isFalse();
  }

  @Test
  void as4Aggregator() {
    check(
        () -> new As4Aggregator(4200000000L, v4("192.0.2.1")),
        List.of(
            new As4Aggregator(4200000001L, v4("192.0.2.1")),
            new As4Aggregator(4200000000L, v4("192.0.2.2"))));
  }

  @Test
  void largeCommunity() {
    check(
        () -> new LargeCommunity(1, 2, 3),
        List.of(
            new LargeCommunity(9, 2, 3), new LargeCommunity(1, 9, 3), new LargeCommunity(1, 2, 9)));
  }

  @Test
  void largeCommunities() {
    check(
        () -> new LargeCommunities(List.of(new LargeCommunity(1, 2, 3))),
        List.of(new LargeCommunities(List.of(new LargeCommunity(1, 2, 4)))));
  }

  @Test
  void nlri() {
    check(
        () -> new Nlri(1, Prefix.parse("10.0.0.0/24")),
        List.of(new Nlri(2, Prefix.parse("10.0.0.0/24")), Nlri.of("10.0.1.0/24")));
  }
}
