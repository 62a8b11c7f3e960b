package dev.netctl.bgp.speaker;

import static dev.netctl.bgp.speaker.ScriptedPeer.caps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The split of a slow update-group member, end to end over real sockets: three reflector clients in
 * one update group, one of which stops reading with a 4 KiB receive buffer while an injector sends
 * a table far larger than the speaker's (test-sized, 16 KiB) write high-water mark plus the socket
 * buffers, and larger than a split-off member's backlog notes key by key. The fast client still
 * gets the whole table — it would wait for the stalled one without the split — as does the stalled
 * client's own route, sent while it is backed up, and {@code bgp peers}' notice says the stalled
 * one is split off. Prefixes then go and some come back with another MED while it is still behind;
 * once it reads again it ends with exactly the current table (walked from the RIB in chunks), and
 * the notice goes. Addresses 127.0.17.0/24, free ports.
 */
@Timeout(60)
class BgpSpeakerSlowMemberTest {
  static final String US = "127.0.17.1";
  static final String INJECTOR = "127.0.17.2";
  static final String FAST = "127.0.17.3";
  static final String STALLED = "127.0.17.4";
  static final long AS = 65017;
  // More than a split-off member's backlog notes key by key: its catch-up walks the table.
  static final int PREFIXES = 70_000;
  // Withdrawn, and of those re-announced with another MED, while the stalled client is behind.
  static final int WITHDRAWN = 1_000;
  static final int REANNOUNCED = 500;

  static Inet4Address ip(String s) {
    try {
      return (Inet4Address) InetAddress.getByName(s);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static Neighbor client(String address) {
    PeerConfig ibgp =
        PeerConfig.of(AS, ip(US), AS).withFamilies(Set.of(AddressFamily.IPV4_UNICAST));
    return Neighbor.of(
            new PeerSpec(new InetSocketAddress(ip(address), 179), ip(US), ibgp, true, null, 0))
        .asReflectorClient();
  }

  static ScriptedPeer established(String address, int port, int receiveBuffer) throws Exception {
    ScriptedPeer p = new ScriptedPeer(address, US, port, AS, receiveBuffer);
    p.establish(address, caps(AS));
    p.readUntilEndOfRib(AddressFamily.IPV4_UNICAST);
    return p;
  }

  /** The table: /24s from 16.0.0.0 over 100 attribute sets (MED 0..99), 800 per UPDATE. */
  static List<BgpMessage.Update> table() {
    List<BgpMessage.Update> out = new ArrayList<>();
    int perSet = PREFIXES / 100;
    for (int set = 0; set < 100; set++) {
      List<PathAttribute> attrs =
          List.of(
              new PathAttribute.Origin(PathAttribute.OriginType.IGP),
              PathAttribute.AsPath.EMPTY,
              new PathAttribute.NextHop(ip("100.64.0.2")),
              new PathAttribute.MultiExitDisc(set),
              new PathAttribute.LocalPref(100));
      List<Nlri> batch = new ArrayList<>();
      for (int i = set * perSet; i < (set + 1) * perSet; i++) {
        batch.add(Nlri.of(Prefix.ipv4((16 << 24) + (i << 8), 24)));
        if (batch.size() == 800) {
          out.add(new BgpMessage.Update(List.of(), attrs, batch));
          batch = new ArrayList<>();
        }
      }
      if (!batch.isEmpty()) {
        out.add(new BgpMessage.Update(List.of(), attrs, batch));
      }
    }
    return out;
  }

  static Prefix prefix(int i) {
    return Prefix.ipv4((16 << 24) + (i << 8), 24);
  }

  static List<PathAttribute> attributes(long med) {
    return List.of(
        new PathAttribute.Origin(PathAttribute.OriginType.IGP),
        PathAttribute.AsPath.EMPTY,
        new PathAttribute.NextHop(ip("100.64.0.2")),
        new PathAttribute.MultiExitDisc(med),
        new PathAttribute.LocalPref(100));
  }

  /**
   * Reads until {@code peer} holds exactly {@code expected} (prefix to MED); returns what it holds
   * then. A peer that ends with anything else never completes.
   */
  static CompletableFuture<Map<Prefix, Long>> holdsExactly(
      ScriptedPeer peer, Map<Prefix, Long> before, Map<Prefix, Long> expected) {
    return CompletableFuture.supplyAsync(
        () -> {
          Map<Prefix, Long> held = new HashMap<>(before);
          try {
            while (!held.equals(expected)) {
              if (peer.read() instanceof BgpMessage.Update u) {
                u.withdrawn().forEach(n -> held.remove(n.prefix()));
                long med =
                    u.attribute(PathAttribute.MultiExitDisc.class)
                        .map(PathAttribute.MultiExitDisc::value)
                        .orElse(-1L);
                u.nlri().forEach(n -> held.put(n.prefix(), med));
              }
            }
          } catch (IOException e) {
            throw new IllegalStateException("after " + held.size() + " prefixes: " + e, e);
          }
          return held;
        });
  }

  /** A reflector with a test-sized (16 KiB) write mark and send buffer, and the three clients. */
  static BgpSpeaker speaker() throws Exception {
    BgpSpeaker speaker =
        BgpSpeaker.start(
            new SpeakerConfig(
                AS,
                ip(US),
                ip(US),
                new InetSocketAddress(ip(US), 0),
                Transport.best().withBuffers(16 * 1024, 16 * 1024),
                1));
    for (String c : List.of(INJECTOR, FAST, STALLED)) {
      speaker.addPeer(client(c));
    }
    return speaker;
  }

  static String notices(BgpSpeaker s, String address) {
    return s.peers().stream()
        .filter(p -> p.remote().getAddress().equals(ip(address)))
        .findFirst()
        .orElseThrow()
        .notices();
  }

  @Test
  void aMemberThatStopsReadingIsSplitOffAndCatchesUpWhenItReadsAgain() throws Exception {
    try (BgpSpeaker speaker = speaker()) {
      int port = speaker.listenAddress().getPort();
      try (ScriptedPeer injector = established(INJECTOR, port, 0);
          ScriptedPeer fast = established(FAST, port, 0);
          ScriptedPeer stalled = established(STALLED, port, 4096)) {
        // From here the stalled client reads nothing until told to.
        Map<Prefix, Long> full = new HashMap<>();
        for (int i = 0; i < PREFIXES; i++) {
          full.put(prefix(i), (long) (i / (PREFIXES / 100)));
        }
        Map<Prefix, Long> fastFull = new HashMap<>(full);
        fastFull.put(Prefix.parse("10.17.4.0/24"), -1L);
        CompletableFuture<Map<Prefix, Long>> fastHolds = holdsExactly(fast, Map.of(), fastFull);
        for (BgpMessage.Update u : table()) {
          injector.send(u);
        }
        // Its own route, sent while its side is backed up, still reaches the others.
        stalled.announce("100.64.0.4", "10.17.4.0/24");
        Map<Prefix, Long> fastHeld = fastHolds.get(30, TimeUnit.SECONDS);
        assertThat(fastHeld).hasSize(PREFIXES + 1);
        assertThat(notices(speaker, STALLED))
            .contains(GroupWriter.SPLIT_NOTICE)
            .as("the stalled client is still behind: it has read nothing");
        assertThat(notices(speaker, FAST)).doesNotContain(GroupWriter.SPLIT_NOTICE);

        // While it is behind, prefixes go and some come back with other attributes.
        List<Nlri> gone = new ArrayList<>();
        for (int i = 0; i < WITHDRAWN; i++) {
          gone.add(Nlri.of(prefix(i)));
        }
        injector.send(new BgpMessage.Update(gone, List.of(), List.of()));
        injector.send(
            new BgpMessage.Update(List.of(), attributes(1000), gone.subList(0, REANNOUNCED)));
        Map<Prefix, Long> table = new HashMap<>(full);
        for (int i = 0; i < WITHDRAWN; i++) {
          table.remove(prefix(i));
        }
        for (int i = 0; i < REANNOUNCED; i++) {
          table.put(prefix(i), 1000L);
        }
        Map<Prefix, Long> fastTable = new HashMap<>(table);
        fastTable.put(Prefix.parse("10.17.4.0/24"), -1L);
        assertThat(holdsExactly(fast, fastHeld, fastTable).get(30, TimeUnit.SECONDS))
            .hasSize(PREFIXES - WITHDRAWN + REANNOUNCED + 1);
        assertThat(notices(speaker, STALLED)).contains(GroupWriter.SPLIT_NOTICE);

        // Exactly the current table: what went while it was behind withdrawn, what came back at its
        // new attributes, its own route not reflected back to it.
        assertThat(holdsExactly(stalled, Map.of(), table).get(30, TimeUnit.SECONDS))
            .isEqualTo(table);
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () ->
                    assertThat(notices(speaker, STALLED)).doesNotContain(GroupWriter.SPLIT_NOTICE));
      }
    }
  }

  @Test
  void aSplitOffMemberWhoseSessionGoesDownNoLongerShowsTheNotice() throws Exception {
    try (BgpSpeaker speaker = speaker()) {
      int port = speaker.listenAddress().getPort();
      try (ScriptedPeer injector = established(INJECTOR, port, 0);
          ScriptedPeer fast = established(FAST, port, 0)) {
        ScriptedPeer stalled = established(STALLED, port, 4096);
        Map<Prefix, Long> full = new HashMap<>();
        for (int i = 0; i < PREFIXES; i++) {
          full.put(prefix(i), (long) (i / (PREFIXES / 100)));
        }
        CompletableFuture<Map<Prefix, Long>> fastHolds = holdsExactly(fast, Map.of(), full);
        for (BgpMessage.Update u : table()) {
          injector.send(u);
        }
        fastHolds.get(30, TimeUnit.SECONDS);
        assertThat(notices(speaker, STALLED)).contains(GroupWriter.SPLIT_NOTICE);

        // It goes away while split off: the notice described that session and goes with it.
        stalled.close();
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () ->
                    assertThat(notices(speaker, STALLED)).doesNotContain(GroupWriter.SPLIT_NOTICE));
      }
    }
  }
}
