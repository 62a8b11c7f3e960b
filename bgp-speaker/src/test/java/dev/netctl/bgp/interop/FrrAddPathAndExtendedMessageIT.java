package dev.netctl.bgp.interop;

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
import dev.netctl.bgp.speaker.PeerStatus;
import dev.netctl.bgp.speaker.ReceivedRoute;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ADD-PATH (RFC 7911) and extended messages (RFC 8654) with FRR 8.4 bgpd, which offers to receive
 * several paths on every session and offers extended messages by default. Several of our speakers
 * peer with one FRR, each on its own loopback address.
 */
@Timeout(150)
class FrrAddPathAndExtendedMessageIT {
  static final Set<AddressFamily> V4 = Set.of(AddressFamily.IPV4_UNICAST);

  /** One of our speakers in the test: its address, AS and listening port. */
  record Ours(String address, long as, BgpSpeaker speaker) {
    int port() {
      return speaker.listenAddress().getPort();
    }
  }

  static Ours ours(String address, long as) throws Exception {
    return new Ours(
        address, as, BgpSpeaker.start(as, new InetSocketAddress(ip(address), 0), Transport.best()));
  }

  /**
   * FRR at {@code them} in AS {@code as} with a neighbour per speaker, plus {@code extra} lines.
   */
  static String frr(String them, long as, List<Ours> neighbours, String ipv4Extra) {
    StringBuilder n = new StringBuilder();
    for (Ours o : neighbours) {
      n.append(
          """
           neighbor %1$s remote-as %2$d
           neighbor %1$s port %3$d
           neighbor %1$s update-source %4$s
           neighbor %1$s timers 3 9
           neighbor %1$s timers connect 1
           neighbor %1$s disable-connected-check
          """
              .formatted(o.address(), o.as(), o.port(), them));
    }
    return """
        frr defaults traditional
        hostname netctl-frr
        log stdout informational
        !
        router bgp %d
         bgp router-id %s
         no bgp ebgp-requires-policy
         no bgp network import-check
        %s address-family ipv4 unicast
        %s exit-address-family
        !
        """
        .formatted(as, them, n, ipv4Extra);
  }

  /** Our side of a session with FRR over IPv4 unicast, with these options. */
  static dev.netctl.bgp.speaker.Neighbor toFrr(
      Ours us, String frr, int frrPort, long frrAs, boolean addPath, boolean extended) {
    PeerSpec spec = peer(us.address(), us.as(), frr, frrPort, frrAs);
    return InteropSupport.open(
        new PeerSpec(
            spec.remote(),
            spec.localAddress(),
            spec.config()
                .withFamilies(V4)
                .withOptions(addPath ? V4 : Set.of(), addPath ? V4 : Set.of(), -1, extended),
            false,
            null,
            0));
  }

  /** An eBGP session between two of our speakers, from {@code a}'s side. */
  static dev.netctl.bgp.speaker.Neighbor between(Ours a, Ours b) {
    return InteropSupport.open(peer(a.address(), a.as(), b.address(), b.port(), b.as()));
  }

  static int count(String text, String what) {
    Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  static long paths(BgpSpeaker s, String peer, String prefix) {
    return s.received(ip(peer)).stream()
        .filter(r -> r.nlri().prefix().equals(Prefix.parse(prefix)))
        .map(r -> r.nlri().pathId())
        .distinct()
        .count();
  }

  /**
   * Both directions. A (127.0.57.1, AS 65571) and B (127.0.57.3, AS 65573) originate 10.57.1.0/24
   * to FRR (127.0.57.2, AS 65572) and to S (127.0.57.4, AS 65574). FRR sends S both of its paths
   * ({@code addpath-tx-all-paths}) and S keeps both under FRR's path ids; S sends FRR both paths it
   * has from A and B under its own ids, and FRR holds both.
   */
  @Test
  void addPathBothWaysWithFrr(@TempDir Path dir) throws Exception {
    Daemon.require(FrrInteropIT.BGPD);
    Daemon.require(FrrInteropIT.VTYSH);
    String them = "127.0.57.2";
    Path vty = Files.createDirectory(dir.resolve("vty"));
    int frrPort = InteropSupport.freePort(them);
    Ours a = ours("127.0.57.1", 65571);
    Ours b = ours("127.0.57.3", 65573);
    Ours s = ours("127.0.57.4", 65574);
    try (BgpSpeaker sa = a.speaker();
        BgpSpeaker sb = b.speaker();
        BgpSpeaker ss = s.speaker()) {
      Prefix p = Prefix.parse("10.57.1.0/24");
      // FRR drops martian (loopback) next hops: documentation addresses.
      sa.originate(
          p, ip("192.0.2.57"), List.of(new PathAttribute.Communities(List.of(65571 << 16 | 1))));
      sb.originate(
          p, ip("192.0.2.58"), List.of(new PathAttribute.Communities(List.of(65573 << 16 | 1))));
      Files.writeString(
          dir.resolve("bgpd.conf"),
          frr(
              them,
              65572,
              List.of(a, b, s),
              "  neighbor " + s.address() + " addpath-tx-all-paths\n"));
      sa.addPeer(toFrr(a, them, frrPort, 65572, false, false));
      sb.addPeer(toFrr(b, them, frrPort, 65572, false, false));
      sa.addPeer(between(a, s));
      sb.addPeer(between(b, s));
      ss.addPeer(between(s, a));
      ss.addPeer(between(s, b));
      // What S passes on goes out with next hop self: not its loopback address, which FRR takes
      // for a martian and answers with Invalid NEXT_HOP.
      ss.addPeer(toFrr(s, them, frrPort, 65572, true, false).withIpv4NextHop(ip("192.0.2.74")));
      try (Daemon bgpd = FrrInteropIT.startBgpd(dir, vty, frrPort, them)) {
        FrrRestartAndRefreshIT.Frr frr = FrrRestartAndRefreshIT.vtysh(bgpd, vty);
        InteropSupport.Details details =
            () ->
                InteropSupport.status(ss)
                    + "\nreceived from FRR: "
                    + ss.received(ip(them))
                    + "\nfrr: "
                    + frr.show("show bgp summary")
                    + frr.show("show bgp neighbors " + s.address() + " json")
                    + frr.show("show bgp ipv4 unicast 10.57.1.0/24 json")
                    + "\nbgpd output: "
                    + bgpd.output();
        await(
            Duration.ofSeconds(60),
            () -> ss.peers().stream().allMatch(x -> x.state() == State.ESTABLISHED),
            details);
        await(Duration.ofSeconds(30), () -> paths(ss, them, "10.57.1.0/24") == 2, details);
        List<ReceivedRoute> fromFrr =
            ss.received(ip(them)).stream().filter(r -> r.nlri().prefix().equals(p)).toList();
        assertThat(fromFrr)
            .as("FRR's two paths, one through A and one through B")
            .extracting(r -> r.attribute(PathAttribute.AsPath.class).orElseThrow())
            .containsExactlyInAnyOrder(
                PathAttribute.AsPath.sequence(65572, 65571),
                PathAttribute.AsPath.sequence(65572, 65573));

        // Our side: FRR holds both of S's paths (via A, via B) under S's path ids.
        await(
            Duration.ofSeconds(30),
            () ->
                count(
                        frr.show("show bgp ipv4 unicast 10.57.1.0/24 json"),
                        "\"peerId\":\"" + s.address() + "\"")
                    == 2,
            details);
        String json = frr.show("show bgp ipv4 unicast 10.57.1.0/24 json");
        assertThat(json).contains("65574 65571").contains("65574 65573");
        assertThat(ss.peers().stream().filter(x -> x.remote().getAddress().equals(ip(them))))
            .extracting(PeerStatus::state, PeerStatus::lastError)
            .containsExactly(org.assertj.core.groups.Tuple.tuple(State.ESTABLISHED, ""));
      }
    }
  }

  /**
   * Extended messages both ways. S (127.0.58.1, AS 65581) offers them and originates a route whose
   * 1,100 communities (4,400 octets) fit no 4096-octet UPDATE; FRR (127.0.58.2, AS 65582) takes it
   * and passes it on to T (127.0.58.3, AS 65583), which offers them too, in an UPDATE beyond 4096
   * octets. U (127.0.58.5, AS 65585) does not offer them: FRR must not send it the large route (we
   * would reset the session for Bad Message Length), and U's own large route stays with U, counted
   * as withheld, the session up.
   */
  @Test
  void extendedMessagesBothWaysWithFrr(@TempDir Path dir) throws Exception {
    Daemon.require(FrrInteropIT.BGPD);
    Daemon.require(FrrInteropIT.VTYSH);
    String them = "127.0.58.2";
    Path vty = Files.createDirectory(dir.resolve("vty"));
    int frrPort = InteropSupport.freePort(them);
    Ours s = ours("127.0.58.1", 65581);
    Ours t = ours("127.0.58.3", 65583);
    Ours u = ours("127.0.58.5", 65585);
    List<PathAttribute> huge =
        List.of(
            new PathAttribute.Communities(
                IntStream.range(0, 1100).map(i -> 65581 << 16 | i).boxed().toList()));
    try (BgpSpeaker ss = s.speaker();
        BgpSpeaker st = t.speaker();
        BgpSpeaker su = u.speaker()) {
      ss.originate(Prefix.parse("10.58.1.0/24"), ip("192.0.2.58"), List.of());
      ss.originate(Prefix.parse("10.58.2.0/24"), ip("192.0.2.58"), huge);
      su.originate(Prefix.parse("10.58.5.0/24"), ip("192.0.2.59"), huge);
      su.originate(Prefix.parse("10.58.6.0/24"), ip("192.0.2.59"), List.of());
      Files.writeString(dir.resolve("bgpd.conf"), frr(them, 65582, List.of(s, t, u), ""));
      ss.addPeer(toFrr(s, them, frrPort, 65582, false, true));
      st.addPeer(toFrr(t, them, frrPort, 65582, false, true));
      su.addPeer(toFrr(u, them, frrPort, 65582, false, false));
      try (Daemon bgpd = FrrInteropIT.startBgpd(dir, vty, frrPort, them)) {
        FrrRestartAndRefreshIT.Frr frr = FrrRestartAndRefreshIT.vtysh(bgpd, vty);
        InteropSupport.Details details =
            () ->
                InteropSupport.status(ss)
                    + InteropSupport.status(st)
                    + InteropSupport.status(su)
                    + "\nT got: "
                    + st.received(ip(them)).stream().map(r -> r.nlri().toString()).toList()
                    + "\nU got: "
                    + su.received(ip(them)).stream().map(r -> r.nlri().toString()).toList()
                    + "\nfrr: "
                    + frr.show("show bgp summary")
                    + frr.show("show bgp neighbors " + s.address() + " json")
                    + frr.show("show bgp ipv4 unicast")
                    + "\nbgpd output: "
                    + bgpd.output();
        await(
            Duration.ofSeconds(60),
            () ->
                List.of(ss, st, su).stream()
                    .allMatch(x -> x.peers().getFirst().state() == State.ESTABLISHED),
            details);
        assertThat(frr.show("show bgp neighbors " + s.address() + " json"))
            .as("both sides offered extended messages")
            .contains("\"extendedMessage\":\"advertisedAndReceived\"");
        // FRR took our large UPDATE and sent T its own, beyond 4096 octets.
        await(
            Duration.ofSeconds(30),
            () ->
                st.received(ip(them)).stream()
                    .anyMatch(r -> r.nlri().prefix().equals(Prefix.parse("10.58.2.0/24"))),
            details);
        ReceivedRoute large =
            st.received(ip(them)).stream()
                .filter(r -> r.nlri().prefix().equals(Prefix.parse("10.58.2.0/24")))
                .findFirst()
                .orElseThrow();
        assertThat(large.attribute(PathAttribute.Communities.class).orElseThrow().values())
            .as("every community, through FRR")
            .hasSize(1100);
        // U: the small routes arrive, the large one is not sent either way, the session stays up.
        await(
            Duration.ofSeconds(30),
            () ->
                su.received(ip(them)).stream()
                        .anyMatch(r -> r.nlri().prefix().equals(Prefix.parse("10.58.1.0/24")))
                    && frr.show("show bgp ipv4 unicast").contains("10.58.6.0/24"),
            details);
        assertThat(frr.show("show bgp ipv4 unicast")).doesNotContain("10.58.5.0/24");
        assertThat(su.peers().getFirst().withheldRoutes()).isEqualTo(1);
        List<String> toU = new ArrayList<>();
        su.received(ip(them)).forEach(r -> toU.add(r.nlri().toString()));
        assertThat(toU).doesNotContain("10.58.2.0/24");
        assertThat(su.peers().getFirst().state()).isEqualTo(State.ESTABLISHED);
        assertThat(su.peers().getFirst().lastError()).isEmpty();
        assertThat(ss.peers().getFirst().withheldRoutes()).isZero();
      }
    }
  }
}
