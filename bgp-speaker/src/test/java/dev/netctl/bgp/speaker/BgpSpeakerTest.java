package dev.netctl.bgp.speaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.rib.RoutePolicy;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two in-process speakers peering over distinct loopback addresses. */
@Timeout(60)
class BgpSpeakerTest {
  private final List<BgpSpeaker> speakers = new CopyOnWriteArrayList<>();

  static Inet4Address ip(String s) throws Exception {
    return (Inet4Address) InetAddress.getByName(s);
  }

  @AfterEach
  void closeAll() {
    speakers.forEach(BgpSpeaker::close);
  }

  // Each speaker's free port (bound to 0), by its address.
  private final Map<String, Integer> ports = new ConcurrentHashMap<>();

  /** A speaker on a free port whose IPv6 routes get the next hop fd00::(last octet). */
  BgpSpeaker speaker(long as, String address) throws Exception {
    BgpSpeaker s =
        BgpSpeaker.start(
            SpeakerConfig.of(
                    as, ip(address), new InetSocketAddress(ip(address), 0), Transport.best())
                .withIpv6NextHop(v6Of(address)));
    speakers.add(s);
    ports.put(address, s.listenAddress().getPort());
    return s;
  }

  static Inet6Address v6Of(String address) throws Exception {
    return (Inet6Address)
        InetAddress.getByName("fd00::" + address.substring(address.lastIndexOf('.') + 1));
  }

  /** Our side of a session toward the speaker at {@code remote}, on its free port. */
  PeerSpec peer(String local, long localAs, String remote, long remoteAs, boolean passive)
      throws Exception {
    int port = ports.getOrDefault(remote, 179);
    PeerConfig config =
        PeerConfig.of(localAs, ip(local), remoteAs)
            .withHoldTime(9)
            .withConnectRetry(Duration.ofMillis(300));
    return new PeerSpec(
        new InetSocketAddress(ip(remote), port), ip(local), config, passive, null, 0);
  }

  /** An eBGP neighbour that exchanges everything (without policy RFC 8212 blocks all routes). */
  static Neighbor open(PeerSpec spec) {
    return Neighbor.of(spec).withPolicies(RoutePolicy.ACCEPT_ALL, RoutePolicy.ACCEPT_ALL);
  }

  static State state(BgpSpeaker s) {
    return s.peers().getFirst().state();
  }

  @Test
  void ebgpSessionExchangesIpv4AndIpv6RoutesBothWays() throws Exception {
    BgpSpeaker a = speaker(65001, "127.0.0.31");
    BgpSpeaker b = speaker(65002, "127.0.0.32");
    a.originate(
        Prefix.parse("10.31.0.0/16"),
        null,
        List.of(new PathAttribute.Communities(List.of(0xfde90001))));
    a.originate(Prefix.parse("2001:db8:31::/48"), null, List.of());
    b.originate(Prefix.parse("10.32.0.0/16"), null, List.of());
    List<Nlri> withdrawnAtB = new CopyOnWriteArrayList<>();
    b.subscribe(
        new RouteListener() {
          @Override
          public void announced(InetAddress peer, List<ReceivedRoute> routes) {}

          @Override
          public void withdrawn(InetAddress peer, List<Nlri> nlri) {
            withdrawnAtB.addAll(nlri);
          }
        });
    a.addPeer(open(peer("127.0.0.31", 65001, "127.0.0.32", 65002, false)));
    b.addPeer(open(peer("127.0.0.32", 65002, "127.0.0.31", 65001, true)));

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> state(a) == State.ESTABLISHED && state(b) == State.ESTABLISHED);
    await().atMost(Duration.ofSeconds(10)).until(() -> b.received(ip("127.0.0.31")).size() == 2);
    List<ReceivedRoute> atB = b.received(ip("127.0.0.31"));
    ReceivedRoute v4 =
        atB.stream().filter(r -> !r.nlri().prefix().ipv6()).findFirst().orElseThrow();
    assertThat(v4.nlri()).isEqualTo(Nlri.of("10.31.0.0/16"));
    assertThat(v4.nextHop()).isEqualTo(ip("127.0.0.31"));
    assertThat(v4.attribute(PathAttribute.AsPath.class))
        .contains(PathAttribute.AsPath.sequence(65001));
    assertThat(v4.attribute(PathAttribute.Communities.class))
        .contains(new PathAttribute.Communities(List.of(0xfde90001)));
    ReceivedRoute v6 = atB.stream().filter(r -> r.nlri().prefix().ipv6()).findFirst().orElseThrow();
    assertThat(v6.nlri()).isEqualTo(Nlri.of("2001:db8:31::/48"));
    assertThat(v6.nextHop()).as("RFC 2545: A's global IPv6 next hop").isEqualTo(v6Of("127.0.0.31"));
    await().atMost(Duration.ofSeconds(10)).until(() -> a.received(ip("127.0.0.32")).size() == 1);

    a.withdraw(Prefix.parse("10.31.0.0/16"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> withdrawnAtB.contains(Nlri.of("10.31.0.0/16")));
    assertThat(b.received(ip("127.0.0.31")))
        .extracting(ReceivedRoute::nlri)
        .containsExactly(Nlri.of("2001:db8:31::/48"));
    assertThat(a.peers().getFirst().receivedPrefixes()).isEqualTo(1);

    // Removing the peer at A sends Cease; B drops A's routes and goes back to waiting.
    a.removePeer(ip("127.0.0.32"));
    await().atMost(Duration.ofSeconds(10)).until(() -> state(b) != State.ESTABLISHED);
    assertThat(b.received(ip("127.0.0.31"))).isEmpty();
    assertThat(b.peers().getFirst().info()).contains("PEER_DECONFIGURED");
  }

  @Test
  void connectionCollisionLeavesOneEstablishedSession() throws Exception {
    BgpSpeaker a = speaker(65001, "127.0.0.33");
    BgpSpeaker b = speaker(65001, "127.0.0.34");
    // Both sides connect actively (iBGP): the connection from the higher identifier survives.
    a.addPeer(peer("127.0.0.33", 65001, "127.0.0.34", 65001, false));
    b.addPeer(peer("127.0.0.34", 65001, "127.0.0.33", 65001, false));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> state(a) == State.ESTABLISHED && state(b) == State.ESTABLISHED);
    a.originate(Prefix.parse("10.33.0.0/24"), null, List.of());
    await().atMost(Duration.ofSeconds(10)).until(() -> b.received(ip("127.0.0.33")).size() == 1);
    ReceivedRoute r = b.received(ip("127.0.0.33")).getFirst();
    assertThat(r.attribute(PathAttribute.LocalPref.class))
        .contains(new PathAttribute.LocalPref(100));
    assertThat(r.attribute(PathAttribute.AsPath.class)).contains(PathAttribute.AsPath.EMPTY);
  }

  @Test
  void tcpMd5ProtectedSessionEstablishesOnEpoll() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Transport.best().isEpoll(), "epoll unavailable");
    BgpSpeaker a = speaker(65001, "127.0.0.37");
    BgpSpeaker b = speaker(65002, "127.0.0.38");
    PeerSpec toB = peer("127.0.0.37", 65001, "127.0.0.38", 65002, false);
    PeerSpec toA = peer("127.0.0.38", 65002, "127.0.0.37", 65001, true);
    a.addPeer(
        open(new PeerSpec(toB.remote(), toB.localAddress(), toB.config(), false, "s3cret", 0)));
    b.addPeer(
        open(new PeerSpec(toA.remote(), toA.localAddress(), toA.config(), true, "s3cret", 0)));
    a.originate(Prefix.parse("10.37.0.0/16"), null, List.of());
    await().atMost(Duration.ofSeconds(20)).until(() -> b.received(ip("127.0.0.37")).size() == 1);
    assertThat(state(a)).isEqualTo(State.ESTABLISHED);
  }

  @Test
  void tcpMd5PasswordMismatchNeverEstablishes() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Transport.best().isEpoll(), "epoll unavailable");
    BgpSpeaker a = speaker(65001, "127.0.0.39");
    BgpSpeaker b = speaker(65002, "127.0.0.40");
    PeerSpec toB = peer("127.0.0.39", 65001, "127.0.0.40", 65002, false);
    PeerSpec toA = peer("127.0.0.40", 65002, "127.0.0.39", 65001, true);
    a.addPeer(new PeerSpec(toB.remote(), toB.localAddress(), toB.config(), false, "s3cret", 0));
    b.addPeer(new PeerSpec(toA.remote(), toA.localAddress(), toA.config(), true, "other", 0));
    // The kernel drops segments whose signature does not verify: no OPEN ever arrives.
    Thread.sleep(3000);
    assertThat(state(b)).isNotIn(State.OPEN_SENT, State.OPEN_CONFIRM, State.ESTABLISHED);
    assertThat(state(a)).isNotEqualTo(State.ESTABLISHED);
  }

  @Test
  void gtsmSessionEstablishesWhenBothSidesSendTtl255() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Transport.best().isEpoll(), "epoll unavailable");
    BgpSpeaker a = speaker(65001, "127.0.0.44");
    BgpSpeaker b = speaker(65002, "127.0.0.45");
    PeerSpec toB = peer("127.0.0.44", 65001, "127.0.0.45", 65002, false);
    PeerSpec toA = peer("127.0.0.45", 65002, "127.0.0.44", 65001, true);
    a.addPeer(new PeerSpec(toB.remote(), toB.localAddress(), toB.config(), false, null, 1));
    b.addPeer(new PeerSpec(toA.remote(), toA.localAddress(), toA.config(), true, null, 1));
    await().atMost(Duration.ofSeconds(20)).until(() -> state(a) == State.ESTABLISHED);
  }

  @Test
  void gtsmRejectsAPeerSendingDefaultTtl() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Transport.best().isEpoll(), "epoll unavailable");
    BgpSpeaker a = speaker(65001, "127.0.0.46");
    BgpSpeaker b = speaker(65002, "127.0.0.47");
    PeerSpec toB = peer("127.0.0.46", 65001, "127.0.0.47", 65002, true);
    PeerSpec toA = peer("127.0.0.47", 65002, "127.0.0.46", 65001, false);
    a.addPeer(new PeerSpec(toB.remote(), toB.localAddress(), toB.config(), true, null, 1));
    // B connects with the default TTL (64). A learns which peer connected only after accept, so
    // IP_MINTTL lands on the accepted socket after the handshake: B's first segment (its OPEN) can
    // slip in before it (see Transport#minTtl). Everything after is dropped, so B's KEEPALIVE never
    // reaches A and A can never become Established.
    b.addPeer(toA);
    long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (System.nanoTime() < end) {
      assertThat(state(a)).isNotEqualTo(State.ESTABLISHED);
      Thread.sleep(50);
    }
  }

  @Test
  void maxPrefixExceededSendsCeaseAndDropsTheSession() throws Exception {
    BgpSpeaker a = speaker(65001, "127.0.0.35");
    BgpSpeaker b = speaker(65002, "127.0.0.36");
    for (int i = 0; i < 5; i++) {
      a.originate(Prefix.ipv4(0x0a230000 | (i << 8), 24), null, List.of());
    }
    a.addPeer(open(peer("127.0.0.35", 65001, "127.0.0.36", 65002, true)));
    PeerSpec limited = peer("127.0.0.36", 65002, "127.0.0.35", 65001, false);
    b.addPeer(
        open(
            new PeerSpec(
                limited.remote(),
                limited.localAddress(),
                limited.config().withMaxPrefixes(3),
                false,
                null,
                0)));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> a.peers().getFirst().info().contains("MAXIMUM_PREFIXES_REACHED"));
    assertThat(b.peers().getFirst().info()).contains("MAXIMUM_PREFIXES_REACHED");
    assertThat(state(b)).isEqualTo(State.IDLE);
  }

  @Test
  void aRouteListenerThatThrowsDoesNotKeepRoutesFromTheOthers() throws Exception {
    BgpSpeaker a = speaker(65001, "127.0.0.53");
    BgpSpeaker b = speaker(65002, "127.0.0.54");
    a.originate(Prefix.parse("10.53.0.0/16"), null, List.of());
    List<String> heard = new CopyOnWriteArrayList<>();
    RouteListener failing =
        new RouteListener() {
          @Override
          public void announced(InetAddress peer, List<ReceivedRoute> routes) {
            throw new IllegalStateException("test: a listener that fails");
          }

          @Override
          public void withdrawn(InetAddress peer, List<Nlri> nlri) {
            throw new IllegalStateException("test: a listener that fails");
          }
        };
    b.subscribe(failing);
    b.subscribe(
        new RouteListener() {
          @Override
          public void announced(InetAddress peer, List<ReceivedRoute> routes) {
            routes.forEach(r -> heard.add("announced " + r.nlri()));
          }

          @Override
          public void withdrawn(InetAddress peer, List<Nlri> nlri) {
            nlri.forEach(n -> heard.add("withdrawn " + n));
          }
        });
    a.addPeer(open(peer("127.0.0.53", 65001, "127.0.0.54", 65002, false)));
    b.addPeer(open(peer("127.0.0.54", 65002, "127.0.0.53", 65001, true)));

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> heard.contains("announced " + Nlri.of("10.53.0.0/16")));
    a.withdraw(Prefix.parse("10.53.0.0/16"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> heard.contains("withdrawn " + Nlri.of("10.53.0.0/16")));
  }

  @Test
  void maxPrefixLimitHoldsPerFamilyAndTheCeaseNamesTheFamilyThatWentOver() throws Exception {
    BgpSpeaker a = speaker(65001, "127.0.0.49");
    BgpSpeaker b = speaker(65002, "127.0.0.50");
    // 3 IPv4 and 5 IPv6 prefixes against a limit of 4: eight in all, but only IPv6 is over.
    for (int i = 0; i < 3; i++) {
      a.originate(Prefix.ipv4(0x0a310000 | (i << 8), 24), null, List.of());
    }
    for (int i = 0; i < 5; i++) {
      a.originate(Prefix.parse("2001:db8:31:" + i + "::/64"), null, List.of());
    }
    a.addPeer(open(peer("127.0.0.49", 65001, "127.0.0.50", 65002, true)));
    PeerSpec limited = peer("127.0.0.50", 65002, "127.0.0.49", 65001, false);
    b.addPeer(
        open(
            new PeerSpec(
                limited.remote(),
                limited.localAddress(),
                limited.config().withMaxPrefixes(4),
                false,
                null,
                0)));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> a.peers().getFirst().info().contains("MAXIMUM_PREFIXES_REACHED"));
    // RFC 4486 §4: AFI 2 (IPv6), SAFI 1 (unicast), then the upper bound 4.
    assertThat(a.peers().getFirst().info())
        .as("the Cease's data names the family over its limit: AFI 2, SAFI 1, bound 4")
        .contains("data=00020100000004");
    // The side that keeps the session down says so, and why.
    assertThat(b.peers().getFirst().notices())
        .isEqualTo("kept down until reset: more than 4 ipv6 unicast prefixes");
  }

  @Test
  void aPortInUseIsAClearFailureAndLeavesNoEventLoopBehind() throws Exception {
    java.util.function.Supplier<java.util.Set<Thread>> loops =
        () ->
            Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("multiThreadIoEventLoopGroup"))
                .collect(java.util.stream.Collectors.toSet());
    java.util.Set<Thread> before = loops.get();
    try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
      taken.bind(new InetSocketAddress(ip("127.0.0.48"), 0));
      InetSocketAddress held = new InetSocketAddress(ip("127.0.0.48"), taken.getLocalPort());
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> BgpSpeaker.start(65001, held, Transport.best()))
          .isInstanceOf(java.io.UncheckedIOException.class)
          .hasMessage(
              "cannot listen for BGP on 127.0.0.48:" + held.getPort() + ": Address already in use");
    }
    // The speaker's own loop went with it (a retrying caller would otherwise gain one per try).
    await().atMost(Duration.ofSeconds(10)).until(() -> before.containsAll(loops.get()));
  }
}
