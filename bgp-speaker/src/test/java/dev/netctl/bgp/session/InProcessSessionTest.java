package dev.netctl.bgp.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Ipv4NlriList;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.Negotiated;
import dev.netctl.bgp.fsm.PeerConfig;
import dev.netctl.bgp.fsm.State;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A session on an embedded channel: the receive pipeline without a socket. */
class InProcessSessionTest {
  private final List<String> events = new ArrayList<>();
  private final List<Update> updates = new ArrayList<>();
  private final SessionListener listener =
      new SessionListener() {
        @Override
        public void established(PeerSession peer, Negotiated negotiated) {
          events.add("established " + negotiated.fourOctetAs());
        }

        @Override
        public void update(PeerSession peer, Update update) {
          updates.add(update);
        }

        @Override
        public void down(PeerSession peer, String reason) {
          events.add("down");
        }
      };

  @BeforeEach
  void leaks() {
    LeakCheck.install();
  }

  private InProcessSession open() throws Exception {
    PeerSpec spec =
        new PeerSpec(
            new InetSocketAddress(PeerSessionTest.ip("192.0.2.1"), 179),
            PeerSessionTest.ip("192.0.2.254"),
            PeerConfig.of(64512, PeerSessionTest.ip("192.0.2.254"), 64512),
            true,
            null,
            0);
    return InProcessSession.open(spec, PeerSessionTest.ip("192.0.2.1"), listener);
  }

  @Test
  void reachesEstablishedWithOurOwnOpenEchoedUnderThePeersId() throws Exception {
    try (InProcessSession s = open()) {
      assertThat(s.peer().state()).isEqualTo(State.ESTABLISHED);
      assertThat(events)
          .as("told once, with the capabilities we offered")
          .containsExactly("established true");
    }
    assertThat(events).as("closing ends the session").containsExactly("established true", "down");
    LeakCheck.assertNoLeaks();
  }

  @Test
  void anUpdateSplitAcrossReadsReachesTheListenerWhole() throws Exception {
    Ipv4NlriList.Builder nlri = new Ipv4NlriList.Builder();
    for (int i = 0; i < 3; i++) {
      nlri.add(Ipv4NlriList.pack(Prefix.ipv4(0x0a000000 + (i << 8), 24)));
    }
    Update sent =
        new Update(
            List.of(),
            List.of(
                new PathAttribute.Origin(PathAttribute.OriginType.IGP),
                PathAttribute.AsPath.EMPTY,
                new PathAttribute.NextHop(PeerSessionTest.ip("192.0.2.1")),
                new PathAttribute.LocalPref(100)),
            nlri.build());
    ByteBuf wire = Unpooled.buffer();
    BgpEncoder.encode(sent, CodecContext.FOUR_OCTET, wire);
    try (InProcessSession s = open()) {
      s.receive(wire.readRetainedSlice(10));
      assertThat(updates).as("nothing before the whole message").isEmpty();
      s.receive(wire.readRetainedSlice(wire.readableBytes()));
      assertThat(updates).hasSize(1);
      assertThat(updates.getFirst().nlri()).containsExactlyElementsOf(sent.nlri());
      assertThat(updates.getFirst().attributes()).isEqualTo(sent.attributes());
    } finally {
      wire.release();
    }
    LeakCheck.assertNoLeaks();
  }

  @Test
  void eachKindOfAttributeErrorIsLoggedOncePerSessionAndAnIpv6PeerReadsBracketed()
      throws Exception {
    try (InProcessSession s = open()) {
      PeerSession peer = s.peer();
      var bad =
          new dev.netctl.bgp.codec.BgpError(
              dev.netctl.bgp.codec.NotificationSubcode.MALFORMED_AS_PATH, new byte[0], "x");
      var other =
          new dev.netctl.bgp.codec.BgpError(
              dev.netctl.bgp.codec.NotificationSubcode.INVALID_ORIGIN_ATTRIBUTE, new byte[0], "y");
      assertThat(peer.firstOfKind("treat-as-withdraw", bad)).isTrue();
      assertThat(peer.firstOfKind("treat-as-withdraw", bad)).as("the same kind again").isFalse();
      assertThat(peer.firstOfKind("treat-as-withdraw", other)).isTrue();
      assertThat(peer.firstOfKind("attribute discarded", bad)).isTrue();
    }
    PeerSession v6 =
        new PeerSession(
            new PeerSpec(
                new InetSocketAddress(InetAddress.ofLiteral("fd00:0:0:0:0:0:0:2"), 179),
                PeerSessionTest.ip("192.0.2.254"),
                PeerConfig.of(64512, PeerSessionTest.ip("192.0.2.254"), 64513),
                true,
                null,
                0),
            new io.netty.channel.embedded.EmbeddedChannel().eventLoop(),
            Transport.nio(),
            listener,
            java.time.Clock.systemUTC());
    assertThat(v6).hasToString("peer [fd00::2]:179 AS64513");
  }
}
