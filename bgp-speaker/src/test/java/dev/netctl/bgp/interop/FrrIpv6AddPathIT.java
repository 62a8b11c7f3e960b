package dev.netctl.bgp.interop;

import static dev.netctl.bgp.interop.FrrAddPathAndExtendedMessageIT.count;
import static dev.netctl.bgp.interop.FrrAddPathAndExtendedMessageIT.ours;
import static dev.netctl.bgp.interop.InteropSupport.await;
import static dev.netctl.bgp.interop.InteropSupport.ip;
import static dev.netctl.bgp.interop.InteropSupport.peer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import dev.netctl.bgp.speaker.BgpSpeaker;
import dev.netctl.bgp.speaker.Neighbor;
import dev.netctl.bgp.speaker.ReceivedRoute;
import dev.netctl.bgp.speaker.SpeakerConfig;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ADD-PATH (RFC 7911) for IPv6 unicast with FRR 8.4 bgpd, both ways. Every session is an IPv4 one
 * on its own loopback address carrying IPv6 unicast only, with a global IPv6 next hop per side (RFC
 * 2545 §2): FRR without zebra knows no IPv6 address of its own, and loopback or IPv4-mapped next
 * hops are martians to it.
 */
@Timeout(150)
class FrrIpv6AddPathIT {
  static final Set<AddressFamily> V6 = Set.of(AddressFamily.IPV6_UNICAST);
  static final Prefix P = Prefix.parse("2001:db8:5900::/48");

  static Inet6Address v6(String s) {
    return (Inet6Address) InetAddress.ofLiteral(s);
  }

  /** Our side of an IPv6-unicast-only session, with ADD-PATH both ways when {@code addPath}. */
  static Neighbor v6Only(PeerSpec spec, boolean addPath, String nextHop) {
    return InteropSupport.open(
            new PeerSpec(
                spec.remote(),
                spec.localAddress(),
                spec.config()
                    .withFamilies(V6)
                    .withOptions(addPath ? V6 : Set.of(), addPath ? V6 : Set.of(), -1, false),
                false,
                null,
                0))
        .withIpv6NextHop(v6(nextHop));
  }

  static List<ReceivedRoute> paths(BgpSpeaker s, String peer) {
    return s.received(ip(peer)).stream().filter(r -> r.nlri().prefix().equals(P)).toList();
  }

  /**
   * A (127.0.59.1, AS 65591, next hop 2001:db8:59::1) and B (127.0.59.3, AS 65593, 2001:db8:59::3)
   * originate 2001:db8:5900::/48 to FRR (127.0.59.2, AS 65592) and to S (127.0.59.4, AS 65594). FRR
   * sends S both of its paths ({@code addpath-tx-all-paths}, next hops unchanged) and S keeps them
   * apart by FRR's path ids; S sends FRR the two paths it has from A and B under its own ids, and
   * FRR holds both. When A withdraws, exactly the path through A goes, on both sides.
   */
  @Test
  void ipv6AddPathBothWaysWithFrr(@TempDir Path dir) throws Exception {
    Daemon.require(FrrInteropIT.BGPD);
    Daemon.require(FrrInteropIT.VTYSH);
    String them = "127.0.59.2";
    Path vty = Files.createDirectory(dir.resolve("vty"));
    int frrPort = InteropSupport.freePort(them);
    FrrAddPathAndExtendedMessageIT.Ours a = ours("127.0.59.1", 65591);
    FrrAddPathAndExtendedMessageIT.Ours b = ours("127.0.59.3", 65593);
    FrrAddPathAndExtendedMessageIT.Ours s = ours("127.0.59.4", 65594);
    try (BgpSpeaker sa = a.speaker();
        BgpSpeaker sb = b.speaker();
        BgpSpeaker ss = s.speaker()) {
      // No next hop of their own: each goes out with the session's ipv6NextHop (next hop self).
      sa.originate(P, null, List.of(new PathAttribute.Communities(List.of(65591 << 16 | 1))));
      sb.originate(P, null, List.of(new PathAttribute.Communities(List.of(65593 << 16 | 1))));
      Files.writeString(
          dir.resolve("bgpd.conf"),
          FrrAddPathAndExtendedMessageIT.frr(them, 65592, List.of(a, b, s), "")
              + """
              router bgp 65592
               address-family ipv6 unicast
                neighbor %1$s activate
                neighbor %2$s activate
                neighbor %3$s activate
                neighbor %3$s addpath-tx-all-paths
                neighbor %3$s attribute-unchanged next-hop
               exit-address-family
              !
              """
                  .formatted(a.address(), b.address(), s.address()));
      sa.addPeer(v6Only(peer(a.address(), 65591, them, frrPort, 65592), false, "2001:db8:59::1"));
      sb.addPeer(v6Only(peer(b.address(), 65593, them, frrPort, 65592), false, "2001:db8:59::3"));
      sa.addPeer(
          v6Only(peer(a.address(), 65591, s.address(), s.port(), 65594), false, "2001:db8:59::1"));
      sb.addPeer(
          v6Only(peer(b.address(), 65593, s.address(), s.port(), 65594), false, "2001:db8:59::3"));
      ss.addPeer(
          v6Only(peer(s.address(), 65594, a.address(), a.port(), 65591), false, "2001:db8:59::4"));
      ss.addPeer(
          v6Only(peer(s.address(), 65594, b.address(), b.port(), 65593), false, "2001:db8:59::4"));
      ss.addPeer(v6Only(peer(s.address(), 65594, them, frrPort, 65592), true, "2001:db8:59::4"));
      try (Daemon bgpd = FrrInteropIT.startBgpd(dir, vty, frrPort, them)) {
        FrrRestartAndRefreshIT.Frr frr = FrrRestartAndRefreshIT.vtysh(bgpd, vty);
        String show = "show bgp ipv6 unicast " + P + " json";
        InteropSupport.Details details =
            () ->
                InteropSupport.status(ss)
                    + "\nfrr: "
                    + frr.show("show bgp summary")
                    + frr.show("show bgp neighbors " + s.address() + " json")
                    + frr.show(show)
                    + "\nbgpd output: "
                    + bgpd.output();
        await(
            Duration.ofSeconds(60),
            () ->
                List.of(sa, sb, ss).stream()
                    .allMatch(
                        x -> x.peers().stream().allMatch(p -> p.state() == State.ESTABLISHED)),
            details);
        assertThat(frr.show("show bgp neighbors " + s.address() + " json"))
            .as("ADD-PATH negotiated both ways for IPv6 unicast")
            .containsPattern(
                "\"ipv6Unicast\":\\{[^}]*\"txAdvertisedAndReceived\":true[^}]*"
                    + "\"rxAdvertisedAndReceived\":true");

        // FRR's side: both of its paths reach S under distinct path ids, next hops unchanged.
        await(Duration.ofSeconds(30), () -> paths(ss, them).size() == 2, details);
        List<ReceivedRoute> fromFrr = paths(ss, them);
        assertThat(fromFrr)
            .as("%s", fromFrr)
            .extracting(r -> r.nlri().pathId())
            .doesNotHaveDuplicates();
        assertThat(fromFrr)
            .extracting(
                r -> r.attribute(PathAttribute.AsPath.class).orElseThrow(), ReceivedRoute::nextHop)
            .containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(
                    PathAttribute.AsPath.sequence(65592, 65591), v6("2001:db8:59::1")),
                org.assertj.core.groups.Tuple.tuple(
                    PathAttribute.AsPath.sequence(65592, 65593), v6("2001:db8:59::3")));

        // Our side: FRR holds both of S's paths (via A, via B), each with S's next hop.
        await(
            Duration.ofSeconds(30),
            () -> count(frr.show(show), "\"peerId\":\"" + s.address() + "\"") == 2,
            details);
        String json = frr.show(show);
        assertThat(json).as(json).contains("65594 65591").contains("65594 65593");
        assertThat(count(json, "\"ip\":\"2001:db8:59::4\"")).as(json).isEqualTo(2);

        // A withdraws: only the paths through A go, the ones through B stay apart on both sides.
        sa.withdraw(P);
        await(
            Duration.ofSeconds(30),
            () ->
                paths(ss, them).size() == 1
                    && count(frr.show(show), "\"peerId\":\"" + s.address() + "\"") == 1,
            details);
        assertThat(paths(ss, them))
            .extracting(r -> r.attribute(PathAttribute.AsPath.class).orElseThrow())
            .containsExactly(PathAttribute.AsPath.sequence(65592, 65593));
        json = frr.show(show);
        assertThat(json).as(json).contains("65594 65593").doesNotContain("65594 65591");
        assertThat(ss.peers())
            .filteredOn(x -> x.remote().getAddress().equals(ip(them)))
            .singleElement()
            .satisfies(x -> assertThat(x.lastError()).isEmpty());
      }
    }
  }

  /**
   * Our speaker as a route reflector (127.0.59.12, AS 65595, cluster 10.59.59.59) holds two iBGP
   * paths of 2001:db8:5900::/48, from our sources 127.0.59.11 (next hop 2001:db8:59::11) and
   * 127.0.59.13 (2001:db8:59::13), and sends both, next hops unchanged, under its own path ids to
   * FRR (127.0.59.14), a reflector client that offered to receive several paths (FRR's default).
   * FRR holds both, each with its source as ORIGINATOR_ID; when a source withdraws, only its path
   * goes.
   */
  @Test
  void reflectsTwoIpv6PathsToFrr(@TempDir Path dir) throws Exception {
    Daemon.require(FrrInteropIT.BGPD);
    Daemon.require(FrrInteropIT.VTYSH);
    String client = "127.0.59.14";
    Path vty = Files.createDirectory(dir.resolve("vty"));
    int frrPort = InteropSupport.freePort(client);
    FrrAddPathAndExtendedMessageIT.Ours s1 = ours("127.0.59.11", 65595);
    FrrAddPathAndExtendedMessageIT.Ours s2 = ours("127.0.59.13", 65595);
    try (BgpSpeaker ss1 = s1.speaker();
        BgpSpeaker ss2 = s2.speaker();
        BgpSpeaker reflector =
            BgpSpeaker.start(
                SpeakerConfig.of(
                        65595,
                        ip("127.0.59.12"),
                        new InetSocketAddress(ip("127.0.59.12"), 0),
                        Transport.best())
                    .withClusterId(ip("10.59.59.59")))) {
      FrrAddPathAndExtendedMessageIT.Ours rr =
          new FrrAddPathAndExtendedMessageIT.Ours("127.0.59.12", 65595, reflector);
      ss1.originate(P, null, List.of());
      ss2.originate(P, null, List.of());
      Files.writeString(
          dir.resolve("bgpd.conf"),
          FrrAddPathAndExtendedMessageIT.frr(client, 65595, List.of(rr), "")
              + """
              router bgp 65595
               address-family ipv6 unicast
                neighbor %s activate
               exit-address-family
              !
              """
                  .formatted(rr.address()));
      ss1.addPeer(
          v6Only(
              peer(s1.address(), 65595, rr.address(), rr.port(), 65595), false, "2001:db8:59::11"));
      ss2.addPeer(
          v6Only(
              peer(s2.address(), 65595, rr.address(), rr.port(), 65595), false, "2001:db8:59::13"));
      reflector.addPeer(
          v6Only(
              peer(rr.address(), 65595, s1.address(), s1.port(), 65595), false, "2001:db8:59::12"));
      reflector.addPeer(
          v6Only(
              peer(rr.address(), 65595, s2.address(), s2.port(), 65595), false, "2001:db8:59::12"));
      // Send only: FRR's paths would otherwise come back to us as well.
      reflector.addPeer(
          InteropSupport.open(
                  new PeerSpec(
                      new InetSocketAddress(ip(client), frrPort),
                      ip(rr.address()),
                      peer(rr.address(), 65595, client, frrPort, 65595)
                          .config()
                          .withFamilies(V6)
                          .withOptions(Set.of(), V6, -1, false),
                      false,
                      null,
                      0))
              .withIpv6NextHop(v6("2001:db8:59::12"))
              .asReflectorClient());
      try (Daemon bgpd = FrrInteropIT.startBgpd(dir, vty, frrPort, client)) {
        FrrRestartAndRefreshIT.Frr frr = FrrRestartAndRefreshIT.vtysh(bgpd, vty);
        String show = "show bgp ipv6 unicast " + P + " json";
        InteropSupport.Details details =
            () ->
                InteropSupport.status(reflector)
                    + "\nloc-rib: "
                    + reflector.routes()
                    + "\nfrr: "
                    + frr.show("show bgp summary")
                    + frr.show(show)
                    + "\nbgpd output: "
                    + bgpd.output();
        await(
            Duration.ofSeconds(60),
            () -> reflector.peers().stream().allMatch(p -> p.state() == State.ESTABLISHED),
            details);
        await(
            Duration.ofSeconds(30),
            () -> count(frr.show(show), "\"peerId\":\"" + rr.address() + "\"") == 2,
            details);
        String json = frr.show(show);
        assertThat(json)
            .as(json)
            .contains("\"ip\":\"2001:db8:59::11\"")
            .contains("\"ip\":\"2001:db8:59::13\"")
            .contains("\"originatorId\":\"127.0.59.11\"")
            .contains("\"originatorId\":\"127.0.59.13\"")
            .doesNotContain("2001:db8:59::12");

        ss1.withdraw(P);
        await(
            Duration.ofSeconds(30),
            () -> count(frr.show(show), "\"peerId\":\"" + rr.address() + "\"") == 1,
            details);
        json = frr.show(show);
        assertThat(json)
            .as(json)
            .contains("\"ip\":\"2001:db8:59::13\"")
            .doesNotContain("2001:db8:59::11");
      }
    }
  }
}
