package dev.netctl.bgp.speaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.NotificationSubcode;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.codec.WireIo;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import java.io.DataInputStream;
import java.io.EOFException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Dynamic neighbours: a reflector accepting iBGP clients by address range, with no per-client
 * configuration. Addresses 127.0.5.0/24, free ports.
 */
@Timeout(60)
class BgpSpeakerDynamicTest {
  static final String RR = "127.0.5.1";
  private final List<BgpSpeaker> speakers = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() {
    speakers.forEach(BgpSpeaker::close);
  }

  static Inet4Address ip(String s) throws Exception {
    return (Inet4Address) InetAddress.getByName(s);
  }

  BgpSpeaker speaker(String address, boolean listen) throws Exception {
    BgpSpeaker s =
        BgpSpeaker.start(
            SpeakerConfig.of(
                65001,
                ip(address),
                listen ? new InetSocketAddress(ip(address), 0) : null,
                Transport.best()));
    speakers.add(s);
    return s;
  }

  static PeerConfig ibgp(String local) throws Exception {
    return PeerConfig.of(65001, ip(local), 65001)
        .withHoldTime(9)
        .withConnectRetry(Duration.ofMillis(300));
  }

  /** The reflector's template: every client is an iBGP reflector client. */
  static DynamicRange range(String name, String cidr, int limit) throws Exception {
    Neighbor template =
        Neighbor.of(
                new PeerSpec(
                    new InetSocketAddress(ip("127.0.5.0"), 179), ip(RR), ibgp(RR), true, null, 0))
            .asReflectorClient();
    return new DynamicRange(name, Prefix.parse(cidr), template, limit);
  }

  /** A client at {@code address} connecting to the reflector, originating {@code prefix}. */
  BgpSpeaker client(String address, BgpSpeaker rr, String prefix) throws Exception {
    BgpSpeaker c = speaker(address, false);
    c.originate(Prefix.parse(prefix), null, List.of());
    c.addPeer(
        PeerSpec.of(
            new InetSocketAddress(ip(RR), rr.listenAddress().getPort()),
            ip(address),
            ibgp(address)));
    return c;
  }

  /** Waits until the speaker has a peer at {@code address} that satisfies {@code condition}. */
  static void awaitPeer(
      BgpSpeaker s, InetAddress address, Predicate<PeerStatus> condition, Duration within) {
    await()
        .atMost(within)
        .until(
            () ->
                s.peers().stream()
                    .anyMatch(p -> p.remote().getAddress().equals(address) && condition.test(p)));
  }

  static boolean established(BgpSpeaker s) {
    return !s.peers().isEmpty() && s.peers().stream().allMatch(p -> p.state() == State.ESTABLISHED);
  }

  static List<Nlri> best(BgpSpeaker s) {
    return s.bestRoutes().stream().map(ReceivedRoute::nlri).toList();
  }

  /** Connects from {@code local} and tells whether the speaker closed at once (read gives EOF). */
  static boolean refused(String local, BgpSpeaker rr) throws Exception {
    return refusal(local, rr) == null;
  }

  /**
   * Connects from {@code local}, expecting the speaker to close the connection before any OPEN:
   * returns the NOTIFICATION it sent first, or null for a bare close.
   */
  static BgpMessage.Notification refusal(String local, BgpSpeaker rr) throws Exception {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(ip(local), 0));
      s.connect(rr.listenAddress(), 2000);
      s.setSoTimeout(5000);
      DataInputStream in = new DataInputStream(s.getInputStream());
      BgpMessage first;
      try {
        first = WireIo.read(in);
      } catch (EOFException closed) {
        return null;
      }
      assertThat(in.read()).as("closed after the NOTIFICATION").isEqualTo(-1);
      return (BgpMessage.Notification) first;
    }
  }

  @Test
  void reflectorAcceptsClientsOfARangeAndReflectsBetweenThem() throws Exception {
    BgpSpeaker rr = speaker(RR, true);
    rr.addDynamicRange(range("nodes", "127.0.5.0/24", 10));
    BgpSpeaker a = client("127.0.5.2", rr, "10.5.2.0/26");
    BgpSpeaker b = client("127.0.5.3", rr, "10.5.3.0/26");

    await().atMost(Duration.ofSeconds(20)).until(() -> rr.peers().size() == 2 && established(rr));
    assertThat(rr.peers())
        .allSatisfy(
            p -> assertThat(p.notices()).contains("dynamic peer of range nodes (127.0.5.0/24)"));
    await().atMost(Duration.ofSeconds(10)).until(() -> best(a).contains(Nlri.of("10.5.3.0/26")));
    await().atMost(Duration.ofSeconds(10)).until(() -> best(b).contains(Nlri.of("10.5.2.0/26")));
    assertThat(rr.dynamicRanges()).extracting(DynamicRange::name).containsExactly("nodes");
  }

  @Test
  void aDynamicPeerWhoseSessionEndsIsForgottenWithItsRoutes() throws Exception {
    BgpSpeaker rr = speaker(RR, true);
    rr.addDynamicRange(range("nodes", "127.0.5.0/24", 10));
    BgpSpeaker a = client("127.0.5.4", rr, "10.5.4.0/26");
    BgpSpeaker b = client("127.0.5.5", rr, "10.5.5.0/26");
    await().atMost(Duration.ofSeconds(10)).until(() -> best(b).contains(Nlri.of("10.5.4.0/26")));

    InetAddress gone = ip("127.0.5.4");
    a.close();
    speakers.remove(a);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> rr.peers().stream().noneMatch(p -> p.remote().getAddress().equals(gone)));
    await().atMost(Duration.ofSeconds(10)).until(() -> !best(b).contains(Nlri.of("10.5.4.0/26")));
    assertThat(rr.peers()).hasSize(1);
  }

  /**
   * A client at {@code address} offering graceful restart with {@code restartSeconds}; {@code
   * restarting} for the process that comes back (R and F bits, RFC 4724 §3).
   */
  BgpSpeaker gracefulClient(
      String address, BgpSpeaker rr, String prefix, int restartSeconds, boolean restarting)
      throws Exception {
    SpeakerConfig config = SpeakerConfig.of(65001, ip(address), null, Transport.best());
    if (restarting) {
      config =
          config.withRestart(
              new RestartOptions(true, Duration.ofSeconds(360), Duration.ofSeconds(10)));
    }
    BgpSpeaker c = BgpSpeaker.start(config);
    speakers.add(c);
    c.originate(Prefix.parse(prefix), null, List.of());
    c.addPeer(
        PeerSpec.of(
            new InetSocketAddress(ip(RR), rr.listenAddress().getPort()),
            ip(address),
            ibgp(address).withOptions(Set.of(), Set.of(), restartSeconds, false)));
    return c;
  }

  /** A range whose template offers graceful restart, so its peers' restarts are kept. */
  static DynamicRange gracefulRange() throws Exception {
    DynamicRange plain = range("nodes", "127.0.5.0/24", 10);
    Neighbor template =
        plain
            .template()
            .withSpec(
                new PeerSpec(
                    plain.template().spec().remote(),
                    ip(RR),
                    ibgp(RR).withOptions(Set.of(), Set.of(), 120, false),
                    true,
                    null,
                    0));
    return new DynamicRange(plain.name(), plain.range(), template, plain.limit());
  }

  @Test
  void aDynamicPeerRestartingGracefullyKeepsItsRoutesUntilItIsBack() throws Exception {
    BgpSpeaker rr = speaker(RR, true);
    rr.addDynamicRange(gracefulRange());
    BgpSpeaker a = gracefulClient("127.0.5.6", rr, "10.5.6.0/26", 120, false);
    BgpSpeaker b = client("127.0.5.7", rr, "10.5.7.0/26");
    await().atMost(Duration.ofSeconds(20)).until(() -> best(b).contains(Nlri.of("10.5.6.0/26")));
    List<Nlri> withdrawn = new CopyOnWriteArrayList<>();
    b.subscribe(
        new RouteListener() {
          @Override
          public void announced(InetAddress peer, List<ReceivedRoute> routes) {}

          @Override
          public void withdrawn(InetAddress peer, List<Nlri> nlri) {
            withdrawn.addAll(nlri);
          }
        });

    // RFC 4724 §4.2: the peer advertised the capability and closed without a NOTIFICATION: its
    // routes MUST be kept, stale, and its session waits for it; a dynamic peer is no exception.
    a.closeForRestart();
    speakers.remove(a);
    InetAddress restarting = ip("127.0.5.6");
    awaitPeer(
        rr,
        restarting,
        p -> p.state() != State.ESTABLISHED && p.staleRoutes(),
        Duration.ofSeconds(10));
    assertThat(rr.received(restarting)).extracting(ReceivedRoute::stale).containsExactly(true);

    gracefulClient("127.0.5.6", rr, "10.5.6.0/26", 120, true);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                rr.received(restarting).size() == 1
                    && !rr.received(restarting).getFirst().stale()
                    && rr.peers().size() == 2
                    && established(rr));
    assertThat(best(b)).contains(Nlri.of("10.5.6.0/26"));
    assertThat(withdrawn).as("the route was kept across the restart").isEmpty();
  }

  @Test
  void aDynamicPeerNotBackWithinItsRestartTimeIsForgottenWithItsRoutes() throws Exception {
    BgpSpeaker rr = speaker(RR, true);
    rr.addDynamicRange(gracefulRange());
    BgpSpeaker a = gracefulClient("127.0.5.8", rr, "10.5.8.0/26", 1, false);
    BgpSpeaker b = client("127.0.5.9", rr, "10.5.9.0/26");
    await().atMost(Duration.ofSeconds(20)).until(() -> best(b).contains(Nlri.of("10.5.8.0/26")));

    a.closeForRestart();
    speakers.remove(a);
    InetAddress gone = ip("127.0.5.8");
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                rr.peers().stream().noneMatch(p -> p.remote().getAddress().equals(gone))
                    && !best(b).contains(Nlri.of("10.5.8.0/26")));
    assertThat(rr.received(gone)).isEmpty();
    assertThat(rr.peers()).hasSize(1);
  }

  /** A reflector with the range "nodes" (127.0.5.0/24) and one established client. */
  BgpSpeaker reflectorWithOneClient(int limit, String client, String prefix) throws Exception {
    BgpSpeaker rr = speaker(RR, true);
    rr.addDynamicRange(range("nodes", "127.0.5.0/24", limit));
    client(client, rr, prefix);
    await().atMost(Duration.ofSeconds(20)).until(() -> rr.peers().size() == 1 && established(rr));
    return rr;
  }

  @Test
  void connectionsOverTheLimitOrOutsideEveryRangeAreRefused() throws Exception {
    BgpSpeaker rr = reflectorWithOneClient(1, "127.0.5.6", "10.5.6.0/26");

    BgpMessage.Notification full = refusal("127.0.5.7", rr);
    assertThat(full)
        .as("over the limit of 1: Cease/Connection Rejected (RFC 4486)")
        .isEqualTo(BgpMessage.Notification.of(NotificationSubcode.CONNECTION_REJECTED));
    assertThat(refused("127.0.6.7", rr)).as("outside 127.0.5.0/24").isTrue();
    assertThat(rr.peers()).hasSize(1);
  }

  /** A reflector whose range "nodes" takes {@code limit} peers, each of at most one prefix. */
  BgpSpeaker reflectorWithOnePrefixEach(int limit) throws Exception {
    BgpSpeaker rr = speaker(RR, true);
    Neighbor t = range("nodes", "127.0.5.0/24", limit).template();
    Neighbor onePrefix =
        Neighbor.of(
                new PeerSpec(
                    t.spec().remote(),
                    t.spec().localAddress(),
                    t.spec().config().withMaxPrefixes(1),
                    true,
                    null,
                    0))
            .asReflectorClient();
    rr.addDynamicRange(new DynamicRange("nodes", Prefix.parse("127.0.5.0/24"), onePrefix, limit));
    return rr;
  }

  /** A client that sends two prefixes, and the reflector's peer for it once kept down for that. */
  InetAddress keptDownClient(String address, BgpSpeaker rr) throws Exception {
    BgpSpeaker c = client(address, rr, "10.5.99.0/26");
    c.originate(Prefix.parse("10.5.99.64/26"), null, List.of());
    InetAddress a = ip(address);
    awaitPeer(rr, a, BgpSpeakerDynamicTest::keptDownUntilReset, Duration.ofSeconds(20));
    return a;
  }

  static boolean keptDownUntilReset(PeerStatus p) {
    return p.notices().contains("kept down until reset");
  }

  static PeerStatus status(BgpSpeaker rr, InetAddress a) {
    return rr.peers().stream().filter(p -> p.remote().getAddress().equals(a)).findFirst().get();
  }

  static boolean listed(BgpSpeaker rr, InetAddress a) {
    return rr.peers().stream().anyMatch(p -> p.remote().getAddress().equals(a));
  }

  @Test
  void aPeerKeptDownForTooManyPrefixesKeepsItsAddressRefusedButNotASlot() throws Exception {
    BgpSpeaker rr = reflectorWithOnePrefixEach(1);
    InetAddress a = keptDownClient("127.0.5.10", rr);

    // The range's one slot is not A's any more: a healthy peer takes it, and A stays kept down.
    client("127.0.5.12", rr, "10.5.12.0/26");
    awaitPeer(rr, ip("127.0.5.12"), p -> p.state() == State.ESTABLISHED, Duration.ofSeconds(20));
    assertThat(refusal("127.0.5.11", rr))
        .as("the range is full")
        .isEqualTo(BgpMessage.Notification.of(NotificationSubcode.CONNECTION_REJECTED));
    PeerStatus before = status(rr, a);
    Thread.sleep(1000); // A's speaker retries every 300 ms: its own session refuses it
    assertThat(status(rr, a))
        .as("not taken back (it would have come up and been kept down anew)")
        .satisfies(p -> assertThat(keptDownUntilReset(p)).isTrue())
        .satisfies(p -> assertThat(p.since()).isEqualTo(before.since()));

    // Reset with no slot for it: forgotten, so that it connects as a new peer once there is one.
    assertThat(rr.resetPeer(a, false)).isFalse();
    assertThat(listed(rr, a)).isFalse();
    assertThat(refusal("127.0.5.10", rr))
        .isEqualTo(BgpMessage.Notification.of(NotificationSubcode.CONNECTION_REJECTED));
  }

  @Test
  void aResetWithASlotFreeStartsAPeerKeptDownUntilResetAgain() throws Exception {
    BgpSpeaker rr = reflectorWithOnePrefixEach(1);
    InetAddress a = keptDownClient("127.0.5.10", rr);

    assertThat(rr.resetPeer(a, false)).as("the range has its one slot free").isTrue();
    assertThat(listed(rr, a)).isTrue();
    // Its two prefixes come back with it: kept down anew, after being up.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> status(rr, a).lastError() != null && keptDownUntilReset(status(rr, a)));
  }

  @Test
  void aRangeKeepsAtMostItsLimitOfPeersKeptDownUntilReset() throws Exception {
    BgpSpeaker rr = reflectorWithOnePrefixEach(1);
    InetAddress a = keptDownClient("127.0.5.10", rr);
    InetAddress b = keptDownClient("127.0.5.11", rr);

    client("127.0.5.12", rr, "10.5.12.0/26");
    awaitPeer(rr, ip("127.0.5.12"), p -> p.state() == State.ESTABLISHED, Duration.ofSeconds(20));
    assertThat(listed(rr, a)).as("the earliest kept down, forgotten past the limit").isFalse();
    assertThat(rr.peers())
        .filteredOn(p -> p.remote().getAddress().equals(b))
        .singleElement()
        .satisfies(p -> assertThat(keptDownUntilReset(p)).isTrue());
  }

  @Test
  void removingARangeStopsItsPeers() throws Exception {
    BgpSpeaker rr = reflectorWithOneClient(10, "127.0.5.8", "10.5.8.0/26");

    rr.removeDynamicRange("nodes");
    assertThat(rr.peers()).isEmpty();
    assertThat(rr.dynamicRanges()).isEmpty();
    assertThat(refused("127.0.5.9", rr)).as("no range any more").isTrue();
  }

  @Test
  void invalidRangesAreRefusedWithTheReason() throws Exception {
    BgpSpeaker rr = speaker(RR, true);
    rr.addDynamicRange(range("nodes", "127.0.5.0/24", 10));
    assertThatThrownBy(() -> rr.addDynamicRange(range("nodes", "127.0.7.0/24", 10)))
        .hasMessageContaining("dynamic range nodes already exists");
    assertThatThrownBy(() -> range("zero", "127.0.5.0/24", 0)).hasMessageContaining("limit 0");
    Neighbor withPassword =
        Neighbor.of(
            new PeerSpec(
                new InetSocketAddress(ip("127.0.5.0"), 179), ip(RR), ibgp(RR), true, "s", 0));
    assertThatThrownBy(() -> new DynamicRange("md5", Prefix.parse("127.0.5.0/24"), withPassword, 5))
        .hasMessageContaining("TCP MD5");
    assertThatThrownBy(() -> rr.removeDynamicRange("none"))
        .hasMessageContaining("dynamic range none is not configured");
    BgpSpeaker activeOnly = speaker("127.0.5.10", false);
    assertThatThrownBy(() -> activeOnly.addDynamicRange(range("x", "127.0.5.0/24", 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs a listening speaker");
  }
}
