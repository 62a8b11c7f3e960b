package dev.netctl.bgp.speaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.session.PeerSpec;
import dev.netctl.bgp.session.Transport;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A dual-stack node's speaker listens on its IPv4 and its IPv6 address: an IPv6 session to the
 * second address carries IPv6 unicast. Loopback, free ports.
 */
@Timeout(60)
class BgpSpeakerListenAlsoTest {
  private final List<BgpSpeaker> speakers = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() {
    speakers.forEach(BgpSpeaker::close);
  }

  private BgpSpeaker speaker(String routerId, InetSocketAddress listen) throws Exception {
    BgpSpeaker s =
        BgpSpeaker.start(
            SpeakerConfig.of(
                65001, (Inet4Address) InetAddress.getByName(routerId), listen, Transport.best()));
    speakers.add(s);
    return s;
  }

  private static PeerConfig v6Only(String routerId) throws Exception {
    return PeerConfig.of(65001, (Inet4Address) InetAddress.getByName(routerId), 65001)
        .withHoldTime(9)
        .withConnectRetry(Duration.ofMillis(300))
        .withFamilies(Set.of(AddressFamily.IPV6_UNICAST));
  }

  @Test
  void anIpv6SessionReachesTheSecondListenerAndCarriesIpv6Routes() throws Exception {
    InetAddress v6 = InetAddress.getByName("::1");
    BgpSpeaker a = speaker("127.0.8.1", new InetSocketAddress("127.0.8.1", 0));
    a.listenAlso(new InetSocketAddress(v6, 0));
    int v6Port = a.listenAddresses().get(1).getPort();
    assertThat(a.listenAddresses()).hasSize(2);
    // a waits for b (passive); b dials a's IPv6 listener.
    a.addPeer(new PeerSpec(new InetSocketAddress(v6, 179), v6, v6Only("127.0.8.1"), true, null, 0));
    a.originate(Prefix.parse("fd00:8:1::/64"), null, List.of());
    BgpSpeaker b = speaker("127.0.8.2", null);
    b.addPeer(PeerSpec.of(new InetSocketAddress(v6, v6Port), v6, v6Only("127.0.8.2")));

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> b.peers().stream().allMatch(p -> p.state() == State.ESTABLISHED));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                b.bestRoutes().stream()
                    .map(ReceivedRoute::nlri)
                    .toList()
                    .contains(Nlri.of("fd00:8:1::/64")));
  }

  @Test
  void anActiveOnlySpeakerCannotListenAlso() throws Exception {
    BgpSpeaker s = speaker("127.0.8.3", null);
    assertThatThrownBy(() -> s.listenAlso(new InetSocketAddress("::1", 0)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs a listening speaker");
  }
}
