package dev.netctl.bgp.speaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Ipv4NlriList;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.rib.BestPathChange;
import dev.netctl.bgp.rib.NextHopResolver;
import dev.netctl.bgp.rib.Rib;
import dev.netctl.bgp.rib.RibConfig;
import dev.netctl.bgp.session.InProcessSession;
import dev.netctl.bgp.session.PeerSession;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.SessionListener;
import io.netty.channel.DefaultEventLoop;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How one peer's UPDATEs go to the RIB: in batches of at most 128 UPDATEs and 32,768 prefixes, in
 * the order received, and with the session's reading paused while four batches are in flight and
 * resumed at two. A real RIB (one shard) and a real Established session on an embedded channel; the
 * test is the speaker's loop, handing SessionEvents a read's worth of UPDATEs in one loop task.
 */
class SessionEventsTest {
  private static final long AS = 64512;
  private static final Duration BOUND = Duration.ofSeconds(30);

  private final DefaultEventLoop loop = new DefaultEventLoop();
  // Holds the RIB's shard at each best-path change until a permit is given: open unless a test
  // closes it, so that it decides when batches finish.
  private final Semaphore gate = new Semaphore(Integer.MAX_VALUE / 2);
  private final Queue<String> changes = new ConcurrentLinkedQueue<>();
  // A prefix whose next best-path change the sink fails on, once, as a faulty sink or policy
  // would: the RIB then fails the batch that carried it.
  private volatile Prefix poison;
  private Rib rib;
  private InProcessSession session;
  private SessionEvents events;
  private AttachedPeer attached;
  private AttachedPeers peers;
  private Inet4Address remote;

  @BeforeEach
  void establish() throws Exception {
    Inet4Address local = v4("192.0.2.254");
    remote = v4("192.0.2.1");
    rib = new Rib(RibConfig.of(AS, local, 1), NextHopResolver.ALL_REACHABLE);
    rib.addSink(
        change -> {
          try {
            if (!gate.tryAcquire(BOUND.toSeconds(), TimeUnit.SECONDS)) {
              throw new AssertionError("the test never let this change through");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          if (change.prefix().equals(poison)) {
            poison = null;
            throw new IllegalStateException("test: a sink that fails on " + change.prefix());
          }
          changes.add(text(change));
        });
    // iBGP: no import policy needed to accept (RFC 8212 is for eBGP).
    PeerSpec spec =
        new PeerSpec(
            new InetSocketAddress(remote, 179), local, PeerConfig.of(AS, local, AS), true, null, 0);
    session = InProcessSession.open(spec, remote, new SessionListener() {});
    PeerSession peer = session.peer();
    // Tables held back: the peer's update group has nothing to write to the embedded channel from
    // the loop's thread, which the test thread owns.
    peers = new AttachedPeers(rib, loop, Duration.ofSeconds(360), () -> true);
    SelectionDeferral deferral =
        new SelectionDeferral(RestartOptions.DEFAULT, loop, Map.of(remote, peer), peers);
    Neighbor neighbor = Neighbor.of(spec);
    events = new SessionEvents(rib, loop, peers, deferral, a -> neighbor, p -> {}, () -> {});
    attached =
        onLoop(
            () -> {
              events.established(peer, peer.negotiated());
              return peers.get(remote);
            });
    onLoop(() -> attached.ready).get(BOUND.toSeconds(), TimeUnit.SECONDS); // registered
  }

  @AfterEach
  void close() throws Exception {
    gate.release(Integer.MAX_VALUE / 2);
    loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(BOUND.toSeconds(), TimeUnit.SECONDS);
    rib.close();
    session.close();
  }

  @Test
  void aTableLoadOfLargeUpdatesGoesInBatchesOfAtMostThePrefixCap() throws Exception {
    List<Update> sent = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      sent.add(announce(i * 1000, 1000));
    }

    List<List<Update>> batches = deliver(sent);

    // 128 UPDATEs would fit: only the prefix cap splits these. 32 of a thousand fit under 32,768,
    // a 33rd would take the batch past it.
    assertThat(batches).extracting(List::size).containsExactly(32, 8);
    assertThat(batches).allSatisfy(b -> assertThat(prefixes(b)).isLessThanOrEqualTo(32 * 1024));
    assertThat(batches.stream().flatMap(List::stream).toList())
        .as("every UPDATE, in the order received")
        .containsExactlyElementsOf(sent);
    awaitInFlight(0);
    assertThat(rib.receivedCount(attached.peer)).isEqualTo(40_000);
  }

  @Test
  void ipv6PrefixesCountTowardThePrefixCapAnnouncedAndWithdrawn() throws Exception {
    // In MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760), not the UPDATE's own fields.
    List<Update> sent = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      sent.add(
          new Update(
              List.of(),
              List.of(
                  new PathAttribute.Origin(PathAttribute.OriginType.IGP),
                  PathAttribute.AsPath.EMPTY,
                  new PathAttribute.LocalPref(100),
                  new PathAttribute.MpReach(
                      AddressFamily.IPV6_UNICAST,
                      List.of(InetAddress.getByName("2001:db8::1")),
                      nlri6(i * 1000, 1000))),
              List.of()));
    }
    for (int i = 0; i < 40; i++) {
      sent.add(
          new Update(
              List.of(),
              List.of(
                  new PathAttribute.MpUnreach(AddressFamily.IPV6_UNICAST, nlri6(i * 1000, 1000))),
              List.of()));
    }

    List<List<Update>> batches = deliver(sent);

    // 32 announcing; 8 announcing and 24 withdrawing; the last 16 withdrawing.
    assertThat(batches).extracting(List::size).containsExactly(32, 32, 16);
    awaitInFlight(0);
    assertThat(rib.receivedCount(attached.peer)).as("all withdrawn again").isZero();
  }

  @Test
  void manySmallUpdatesGoInBatchesOfAtMostTheUpdateCap() throws Exception {
    List<Update> sent = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      sent.add(announce(i, 1));
    }

    List<List<Update>> batches = deliver(sent);

    // 300 prefixes are far under the prefix cap: only the UPDATE cap splits these.
    assertThat(batches).extracting(List::size).containsExactly(128, 128, 44);
    awaitInFlight(0);
    assertThat(rib.receivedCount(attached.peer)).isEqualTo(300);
  }

  @Test
  void updatesReachTheRibInTheOrderReceivedAcrossBatches() throws Exception {
    // Prefix 0 announced in the first batch and withdrawn in the third: handed over out of order,
    // the withdrawal would find nothing to withdraw and the prefix would stay.
    List<Update> sent = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 299; i++) {
      sent.add(announce(i, 1));
      expected.add(prefix(i) + " announced");
    }
    sent.add(new Update(nlri(0, 1), List.of(), List.of()));
    expected.add(prefix(0) + " withdrawn");

    assertThat(deliver(sent)).hasSize(3);
    awaitInFlight(0);

    assertThat(changes).containsExactlyElementsOf(expected);
    assertThat(rib.receivedCount(attached.peer)).isEqualTo(298);
  }

  @Test
  void aFullBatchGoesToTheRibWhileTheReadIsStillBeingHandled() throws Exception {
    // Handed over only after the read, the RIB sat idle while the loop decoded a churn's several
    // batches (docs/benchmarks.md, issue 14 session 20).
    int seenDuringRead =
        onLoop(
            () -> {
              for (Update u : announceEach(0, 128)) {
                events.update(session.peer(), u);
              }
              // Shorter than onLoop's own bound, so that a batch that never comes fails below.
              long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
              while (changes.size() < 128 && System.nanoTime() < deadline) {
                Thread.sleep(1);
              }
              return changes.size();
            });

    assertThat(seenDuringRead).isEqualTo(128);
  }

  @Test
  void readingPausesAtFourBatchesInFlightAndResumesAtTwo() throws Exception {
    gate.drainPermits(); // each batch below (128 new prefixes) then takes 128 permits to finish

    assertThat(deliver(announceEach(0, 3 * 128))).hasSize(3);
    assertThat(session.reading()).as("three batches in flight").isTrue();

    assertThat(deliver(announceEach(3 * 128, 128))).hasSize(1);
    assertThat(session.reading()).as("the fourth batch in flight pauses reading").isFalse();

    gate.release(128);
    awaitInFlight(3);
    assertThat(session.reading()).as("three in flight: still above the low mark").isFalse();

    gate.release(128);
    awaitInFlight(2);
    assertThat(session.reading()).as("two in flight: reading again").isTrue();

    gate.release(2 * 128);
    awaitInFlight(0);
    assertThat(session.reading()).isTrue();
    assertThat(rib.receivedCount(attached.peer)).isEqualTo(4 * 128);
  }

  @Test
  void aBatchTheRibFailsToApplyResetsTheSessionAndItsRoutesStillLeaveAtItsEnd() throws Exception {
    poison = prefix(200); // in the second of three batches

    assertThat(deliver(announceEach(0, 300))).hasSize(3);
    awaitInFlight(0);

    // What the peer sent and what the RIB holds now differ: the session is reset (Cease / Out of
    // Resources) so that the peer sends its routes again.
    assertThat(rib.receivedCount(attached.peer)).as("applied up to the fault").isPositive();
    // Not kept down on a first fault: it waits for the (passive) peer to connect again.
    await().atMost(BOUND).until(() -> session.peer().state() == State.ACTIVE);
    // The session's end: its routes leave the RIB though the work queued for it failed.
    onLoop(
        () -> {
          peers.detach(remote, true);
          return null;
        });
    await().atMost(BOUND).until(() -> rib.receivedCount(attached.peer) == 0);
    assertThat(rib.routes(p -> true, 1000).get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEmpty();
  }

  @Test
  void theNextSessionRegistersThoughTheLastOnesCleanupFailed() throws Exception {
    assertThat(deliver(announceEach(0, 10))).hasSize(1);
    awaitInFlight(0);
    gate.drainPermits(); // the cleanup waits at its first withdrawal until released below
    poison = prefix(5); // and then fails at this one
    onLoop(
        () -> {
          peers.detach(remote, true);
          return null;
        });

    // The peer connects again while the cleanup is still running: its registration waits for it,
    // and goes ahead once it is over, failed or not.
    AttachedPeer again =
        onLoop(
            () -> {
              events.established(session.peer(), session.peer().negotiated());
              return peers.get(remote);
            });
    gate.release(Integer.MAX_VALUE / 2);
    onLoop(() -> again.ready).get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertThat(poison).as("the cleanup failed").isNull();
    attached = again;
    assertThat(deliver(announceEach(100, 3))).hasSize(1);
    awaitInFlight(0);
    assertThat(rib.receivedCount(again.peer)).isEqualTo(3);
    // The failed cleanup still took every route of the last session out (10.0.0-9.0/24).
    assertThat(rib.routes(p -> true, 100).get(BOUND.toSeconds(), TimeUnit.SECONDS))
        .extracting(e -> e.prefix())
        .containsExactlyInAnyOrder(prefix(100), prefix(101), prefix(102));
  }

  /**
   * Hands {@code updates} to SessionEvents in one loop task, as one read delivers them; returns
   * them grouped into the batches handed to the RIB (a batch opened is one more in flight).
   */
  private List<List<Update>> deliver(List<Update> updates) throws Exception {
    return onLoop(
        () -> {
          List<List<Update>> batches = new ArrayList<>();
          for (Update u : updates) {
            int before = attached.inFlight;
            events.update(session.peer(), u);
            if (attached.inFlight > before) {
              batches.add(new ArrayList<>());
            }
            batches.getLast().add(u);
          }
          return batches;
        });
  }

  private void awaitInFlight(int n) {
    await().atMost(BOUND).until(() -> onLoop(() -> attached.inFlight) == n);
  }

  private <T> T onLoop(Callable<T> task) throws Exception {
    return loop.submit(task).get(BOUND.toSeconds(), TimeUnit.SECONDS);
  }

  private static List<Update> announceEach(int from, int count) {
    List<Update> out = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      out.add(announce(i, 1));
    }
    return out;
  }

  /** One UPDATE announcing /24s number {@code from} to {@code from + count - 1}. */
  private static Update announce(int from, int count) {
    return new Update(
        List.of(),
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.IGP),
            PathAttribute.AsPath.EMPTY,
            new PathAttribute.NextHop(v4("192.0.2.1")),
            new PathAttribute.LocalPref(100)),
        nlri(from, count));
  }

  private static Ipv4NlriList nlri(int from, int count) {
    Ipv4NlriList.Builder b = new Ipv4NlriList.Builder(count);
    for (int i = from; i < from + count; i++) {
      b.add(Ipv4NlriList.pack(prefix(i)));
    }
    return b.build();
  }

  // The i-th of 2001:db8::/48, 2001:db8:1::/48, ...
  private static List<Nlri> nlri6(int from, int count) {
    List<Nlri> out = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      out.add(Nlri.of(Prefix.ipv6(0x20010db8_00000000L + ((long) i << 16), 0, 48)));
    }
    return out;
  }

  // The i-th of 10.0.0.0/24, 10.0.1.0/24, ...
  private static Prefix prefix(int i) {
    return Prefix.ipv4(0x0a000000 + (i << 8), 24);
  }

  private static int prefixes(List<Update> batch) {
    return batch.stream().mapToInt(u -> u.nlri().size() + u.withdrawn().size()).sum();
  }

  private static String text(BestPathChange change) {
    return change.prefix() + (change.withdrawn() ? " withdrawn" : " announced");
  }

  private static Inet4Address v4(String literal) {
    try {
      return (Inet4Address) InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
