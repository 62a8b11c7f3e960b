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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The split of a slow update-group member, end to end over real sockets: three reflector clients in
 * one update group, one of which stops reading with a 4 KiB receive buffer while an injector sends
 * a table far larger than the speaker's (test-sized, 16 KiB) write high-water mark plus the socket
 * buffers. The fast client still gets the whole table — it would wait for the stalled one without
 * the split — as does the stalled client's own route, sent while it is backed up, and {@code bgp
 * peers}' notice says the stalled one is split off; once it reads again it gets the whole table
 * from the RIB and the notice goes. Addresses 127.0.17.0/24, free ports.
 */
@Timeout(60)
class BgpSpeakerSlowMemberTest {
  static final String US = "127.0.17.1";
  static final String INJECTOR = "127.0.17.2";
  static final String FAST = "127.0.17.3";
  static final String STALLED = "127.0.17.4";
  static final long AS = 65017;
  static final int PREFIXES = 60_000;

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

  /** Reads until {@code peer} holds {@code count} prefixes; returns how many it holds. */
  static CompletableFuture<Integer> collect(ScriptedPeer peer, int count) {
    return CompletableFuture.supplyAsync(
        () -> {
          Set<Nlri> held = new HashSet<>();
          try {
            while (held.size() < count) {
              if (peer.read() instanceof BgpMessage.Update u) {
                held.addAll(u.nlri());
                u.withdrawn().forEach(held::remove);
              }
            }
          } catch (IOException e) {
            throw new IllegalStateException("after " + held.size() + " prefixes: " + e, e);
          }
          return held.size();
        });
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
    SpeakerConfig config =
        new SpeakerConfig(
            AS,
            ip(US),
            ip(US),
            new InetSocketAddress(ip(US), 0),
            Transport.best().withBuffers(16 * 1024, 16 * 1024),
            1);
    try (BgpSpeaker speaker = BgpSpeaker.start(config)) {
      for (String c : List.of(INJECTOR, FAST, STALLED)) {
        speaker.addPeer(client(c));
      }
      int port = speaker.listenAddress().getPort();
      try (ScriptedPeer injector = established(INJECTOR, port, 0);
          ScriptedPeer fast = established(FAST, port, 0);
          ScriptedPeer stalled = established(STALLED, port, 4096)) {
        // From here the stalled client reads nothing until told to.
        CompletableFuture<Integer> fastHolds = collect(fast, PREFIXES + 1);
        for (BgpMessage.Update u : table()) {
          injector.send(u);
        }
        // Its own route, sent while its side is backed up, still reaches the others.
        stalled.announce("100.64.0.4", "10.17.4.0/24");
        assertThat(fastHolds.get(30, TimeUnit.SECONDS)).isEqualTo(PREFIXES + 1);
        assertThat(notices(speaker, STALLED))
            .contains(GroupWriter.SPLIT_NOTICE)
            .as("the stalled client is still behind: it has read nothing");
        assertThat(notices(speaker, FAST)).doesNotContain(GroupWriter.SPLIT_NOTICE);

        assertThat(collect(stalled, PREFIXES).get(30, TimeUnit.SECONDS)).isEqualTo(PREFIXES);
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () ->
                    assertThat(notices(speaker, STALLED)).doesNotContain(GroupWriter.SPLIT_NOTICE));
      }
    }
  }
}
