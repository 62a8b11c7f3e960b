package dev.netctl.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.BgpMessage.Keepalive;
import dev.netctl.bgp.codec.BgpMessage.Notification;
import dev.netctl.bgp.codec.BgpMessage.Open;
import dev.netctl.bgp.codec.BgpMessage.RouteRefresh;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.PathAttribute.Communities;
import dev.netctl.bgp.codec.PathAttribute.LargeCommunities;
import dev.netctl.bgp.codec.PathAttribute.LargeCommunity;
import dev.netctl.bgp.codec.PathAttribute.MpReach;
import dev.netctl.bgp.codec.PathAttribute.NextHop;
import dev.netctl.bgp.codec.PathAttribute.Origin;
import dev.netctl.bgp.codec.PathAttribute.OriginType;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real messages that BIRD 2.0.12, FRR 8.4.4 and GoBGP 3.10.0 sent each other on loopback, captured
 * with tshark by {@code fixtures/captured/capture.sh} (see the README there): each decodes to what
 * the capture's configuration made the daemon send, and re-encodes to the very same bytes unless
 * the sender made another legal encoding choice, listed with its reason in {@link
 * #NOT_BYTE_IDENTICAL}.
 */
class CapturedFixturesTest {
  /** A capturing daemon: its AS and the second octet of its 10.x prefixes (10.25X.0.0/16). */
  record Sender(String name, long as, int octet, String address) {}

  static final Sender BIRD = new Sender("bird", 4_200_000_051L, 251, "127.0.2.51");
  static final Sender FRR = new Sender("frr", 65052, 252, "127.0.2.52");
  static final Sender GOBGP = new Sender("gobgp", 65053, 253, "127.0.2.53");
  static final List<Sender> SENDERS = List.of(BIRD, FRR, GOBGP);

  static final List<String> FIXTURES =
      List.of(
          "bird/open",
          "bird/open-addpath",
          "bird/keepalive",
          "bird/update-ipv4",
          "bird/update-ipv4-addpath",
          "bird/update-ipv6",
          "bird/withdraw-ipv4",
          "bird/withdraw-ipv4-addpath",
          "bird/end-of-rib-ipv4",
          "bird/end-of-rib-ipv4-addpath",
          "bird/end-of-rib-ipv6",
          "bird/route-refresh",
          "bird/notification",
          "frr/open",
          "frr/keepalive",
          "frr/update-ipv4",
          "frr/update-ipv6",
          "frr/withdraw-ipv4",
          "frr/end-of-rib-ipv4",
          "frr/end-of-rib-ipv6",
          "frr/route-refresh",
          "frr/notification",
          "gobgp/open",
          "gobgp/open-addpath",
          "gobgp/keepalive",
          "gobgp/update-ipv4",
          "gobgp/update-ipv4-addpath",
          "gobgp/update-ipv6",
          "gobgp/withdraw-ipv4",
          "gobgp/withdraw-ipv4-addpath",
          "gobgp/end-of-rib-ipv4",
          "gobgp/end-of-rib-ipv6",
          "gobgp/notification");

  private static final String ONE_PARAMETER =
      "all capabilities in one Capabilities optional parameter; we write one parameter per"
          + " capability (RFC 5492 §4 allows both)";

  /** Fixtures our encoder does not reproduce byte for byte, and why. */
  static final Map<String, String> NOT_BYTE_IDENTICAL =
      Map.of(
          "bird/open",
          ONE_PARAMETER,
          "bird/open-addpath",
          ONE_PARAMETER,
          "gobgp/open",
          ONE_PARAMETER,
          "gobgp/open-addpath",
          ONE_PARAMETER,
          "frr/update-ipv4",
          "AS_PATH sent with the Extended Length flag at 6 octets; we set it only above 255",
          "frr/update-ipv6",
          "MP_REACH_NLRI first and AS_PATH/MP_REACH_NLRI with Extended Length; we write ascending"
              + " type order (RFC 4271 §5 SHOULD) and the flag only above 255 octets",
          "bird/update-ipv6",
          "MP_REACH_NLRI first with the Extended Length flag; we write ascending type order and"
              + " the flag only above 255 octets");

  static byte[] load(String name) throws IOException {
    String path = "/fixtures/captured/" + name + ".hex";
    try (InputStream in = CapturedFixturesTest.class.getResourceAsStream(path)) {
      assertThat(in).as("fixture %s", path).isNotNull();
      StringBuilder hex = new StringBuilder();
      for (String line : new String(in.readAllBytes()).split("\n")) {
        if (!line.startsWith("#")) {
          hex.append(line.strip());
        }
      }
      return Hex.bytes(hex.toString());
    }
  }

  /** All three daemons negotiated 4-octet AS; ADD-PATH was on for IPv4 between BIRD and GoBGP. */
  static CodecContext context(String name) {
    return new CodecContext(
        true, name.endsWith("-addpath") ? Set.of(AddressFamily.IPV4_UNICAST) : Set.of(), false);
  }

  static BgpMessage decode(String name) throws IOException {
    DecodeResult r = BgpDecoder.decode(load(name), context(name));
    assertThat(r).as("%s decodes", name).isInstanceOf(DecodeResult.Decoded.class);
    DecodeResult.Decoded d = (DecodeResult.Decoded) r;
    assertThat(d.discarded()).as("%s discarded attributes", name).isEmpty();
    return d.message();
  }

  static <M extends BgpMessage> M decode(Sender s, String kind, Class<M> type) throws IOException {
    BgpMessage m = decode(s.name() + "/" + kind);
    assertThat(m).as("%s/%s", s.name(), kind).isInstanceOf(type);
    return type.cast(m);
  }

  static Stream<String> fixtures() {
    return FIXTURES.stream();
  }

  /** Attribute order is the sender's choice; compare in type order. */
  static BgpMessage normalized(BgpMessage m) {
    if (m instanceof Update u) {
      return new Update(
          u.withdrawn(),
          u.attributes().stream()
              .sorted(Comparator.comparingInt((PathAttribute a) -> a.type().code()))
              .toList(),
          u.nlri());
    }
    return m;
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void reencodesToTheCapturedBytesOrExplainsWhyNot(String name) throws IOException {
    byte[] wire = load(name);
    BgpMessage message = decode(name);
    byte[] ours = BgpEncoder.encode(message, context(name));
    String reason = NOT_BYTE_IDENTICAL.get(name);
    if (reason == null) {
      assertThat(Hex.hex(ours)).as("%s re-encoded", name).isEqualTo(Hex.hex(wire));
      return;
    }
    // Keeps the list honest: an entry whose bytes now match must be removed.
    assertThat(Hex.hex(ours))
        .as("%s is listed as different (%s)", name, reason)
        .isNotEqualTo(Hex.hex(wire));
    DecodeResult again = BgpDecoder.decode(ours, context(name));
    assertThat(again).isInstanceOf(DecodeResult.Decoded.class);
    assertThat(normalized(((DecodeResult.Decoded) again).message()))
        .as("%s: our encoding means the same", name)
        .isEqualTo(normalized(message));
  }

  @Test
  void fixtureListMatchesTheCaptureDirectory() throws Exception {
    for (Sender s : SENDERS) {
      var dir = CapturedFixturesTest.class.getResource("/fixtures/captured/" + s.name());
      assertThat(dir).isNotNull();
      try (Stream<java.nio.file.Path> files =
          java.nio.file.Files.list(java.nio.file.Path.of(dir.toURI()))) {
        List<String> names =
            files
                .map(p -> s.name() + "/" + p.getFileName().toString().replace(".hex", ""))
                .toList();
        assertThat(FIXTURES.stream().filter(f -> f.startsWith(s.name() + "/")))
            .as("every captured %s fixture is tested", s.name())
            .containsExactlyInAnyOrderElementsOf(names);
      }
    }
  }

  @Test
  void opensCarryEachDaemonsIdentityAndCapabilities() throws Exception {
    for (Sender s : SENDERS) {
      Open open = decode(s, "open", Open.class);
      assertThat(open.version()).isEqualTo(4);
      assertThat(open.myAs()).as("%s AS", s.name()).isEqualTo(s.as());
      assertThat(open.holdTime()).isEqualTo(9);
      assertThat(open.bgpId()).isEqualTo(InetAddress.getByName(s.address()));
      assertThat(open.capabilities())
          .as("%s capabilities", s.name())
          .contains(
              new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
              new Capability.Multiprotocol(AddressFamily.IPV6_UNICAST),
              new Capability.RouteRefresh(),
              new Capability.FourOctetAs(s.as()));
    }
    // BIRD's AS needs four octets: the 2-octet My AS field holds AS_TRANS (RFC 6793 §4.1).
    byte[] bird = load("bird/open");
    assertThat(((bird[20] & 0xff) << 8) | (bird[21] & 0xff)).isEqualTo(BgpMessage.AS_TRANS);
    // FRR starts with the Restart State and Graceful Notification (RFC 8538) bits set.
    assertThat(decode(FRR, "open", Open.class).capability(Capability.GracefulRestart.class))
        .hasValueSatisfying(
            gr -> {
              assertThat(gr.restarting()).isTrue();
              assertThat(gr.gracefulNotification()).isTrue();
            });
    // FRR offers to receive multiple paths by default; GoBGP was configured for graceful restart.
    assertThat(decode(FRR, "open", Open.class).capability(Capability.AddPath.class))
        .contains(
            new Capability.AddPath(
                List.of(
                    new Capability.AddPathFamily(
                        AddressFamily.IPV4_UNICAST, Capability.AddPathMode.RECEIVE),
                    new Capability.AddPathFamily(
                        AddressFamily.IPV6_UNICAST, Capability.AddPathMode.RECEIVE))));
    assertThat(decode(GOBGP, "open", Open.class).capability(Capability.GracefulRestart.class))
        .hasValueSatisfying(
            gr -> {
              assertThat(gr.restartTimeSeconds()).isEqualTo(120);
              assertThat(gr.families())
                  .extracting(Capability.GracefulRestartFamily::family)
                  .containsExactly(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
            });
  }

  @Test
  void addPathOpensOfferToSendAndReceiveIpv4() throws Exception {
    Capability.AddPath both =
        new Capability.AddPath(
            List.of(
                new Capability.AddPathFamily(
                    AddressFamily.IPV4_UNICAST, Capability.AddPathMode.BOTH)));
    assertThat(decode(BIRD, "open-addpath", Open.class).capability(Capability.AddPath.class))
        .contains(both);
    assertThat(decode(GOBGP, "open-addpath", Open.class).capability(Capability.AddPath.class))
        .contains(both);
  }

  @Test
  void ipv4UpdatesCarryPathCommunitiesAndLargeCommunities() throws Exception {
    for (Sender s : SENDERS) {
      Update u = decode(s, "update-ipv4", Update.class);
      assertThat(u.nlri())
          .as("%s NLRI", s.name())
          .containsExactly(Nlri.of("10." + s.octet() + ".0.0/16"));
      assertThat(u.attribute(AsPath.class)).contains(AsPath.sequence(s.as()));
      assertThat(u.attribute(NextHop.class))
          .as("%s next hop", s.name())
          .contains(
              new NextHop(
                  (java.net.Inet4Address) InetAddress.getByName("192.0.2." + (s.octet() - 200))));
      // The capture tags the /16 with community ASN16:1 and large community ASN:1:2.
      long low = s == BIRD ? 65051 : s.as();
      assertThat(u.attribute(Communities.class))
          .contains(new Communities(List.of((int) ((low << 16) | 1))));
      assertThat(u.attribute(LargeCommunities.class))
          .contains(new LargeCommunities(List.of(new LargeCommunity(s.as(), 1, 2))));
    }
    // `gobgp global rib add` originates with ORIGIN INCOMPLETE; FRR adds MED 0.
    assertThat(decode(GOBGP, "update-ipv4", Update.class).attribute(Origin.class))
        .contains(new Origin(OriginType.INCOMPLETE));
    assertThat(
            decode(FRR, "update-ipv4", Update.class).attribute(PathAttribute.MultiExitDisc.class))
        .contains(new PathAttribute.MultiExitDisc(0));
  }

  @Test
  void addPathUpdatesCarryPathIdentifiers() throws Exception {
    for (Sender s : List.of(BIRD, GOBGP)) {
      Update u = decode(s, "update-ipv4-addpath", Update.class);
      assertThat(u.nlri()).hasSize(1);
      assertThat(u.nlri().getFirst().prefix())
          .isEqualTo(Prefix.parse("10." + s.octet() + ".0.0/16"));
      assertThat(u.nlri().getFirst().pathId()).as("%s path id", s.name()).isNotZero();
      Update w = decode(s, "withdraw-ipv4-addpath", Update.class);
      assertThat(w.withdrawn()).hasSize(1);
      assertThat(w.withdrawn().getFirst().pathId()).isNotZero();
    }
  }

  @Test
  void ipv6UpdatesUseMpReachWithTheConfiguredNextHop() throws Exception {
    for (Sender s : SENDERS) {
      Update u = decode(s, "update-ipv6", Update.class);
      assertThat(u.nlri()).isEmpty();
      MpReach reach = u.attribute(MpReach.class).orElseThrow();
      assertThat(reach.family()).isEqualTo(AddressFamily.IPV6_UNICAST);
      assertThat(reach.nextHops())
          .as("%s next hop", s.name())
          .containsExactly(InetAddress.getByName("2001:db8::" + (s.octet() - 200)));
      assertThat(reach.nlri()).containsExactly(Nlri.of("2001:db8:" + s.octet() + "::/48"));
      assertThat(u.attribute(AsPath.class)).contains(AsPath.sequence(s.as()));
    }
  }

  @Test
  void withdrawalsAndEndOfRibMarkers() throws Exception {
    // BIRD withdrew 10.251.2.0/24 (a static protocol disabled), the others 10.25X.1.0/24.
    assertThat(decode(BIRD, "withdraw-ipv4", Update.class).withdrawn())
        .containsExactly(Nlri.of("10.251.2.0/24"));
    assertThat(decode(FRR, "withdraw-ipv4", Update.class).withdrawn())
        .containsExactly(Nlri.of("10.252.1.0/24"));
    assertThat(decode(GOBGP, "withdraw-ipv4", Update.class).withdrawn())
        .containsExactly(Nlri.of("10.253.1.0/24"));
    for (Sender s : SENDERS) {
      assertThat(decode(s, "end-of-rib-ipv4", Update.class).endOfRibFamily())
          .contains(AddressFamily.IPV4_UNICAST);
      assertThat(decode(s, "end-of-rib-ipv6", Update.class).endOfRibFamily())
          .contains(AddressFamily.IPV6_UNICAST);
    }
  }

  @Test
  void keepalivesNotificationsAndRouteRefresh() throws Exception {
    for (Sender s : SENDERS) {
      assertThat(decode(s.name() + "/keepalive")).isEqualTo(Keepalive.INSTANCE);
      // Each daemon shut one session down administratively (RFC 4486 Cease subcode 2).
      assertThat(decode(s, "notification", Notification.class))
          .isEqualTo(Notification.of(NotificationSubcode.ADMINISTRATIVE_SHUTDOWN));
    }
    // `birdc reload in` asks for the routes again (RFC 2918) ...
    assertThat(decode(BIRD, "route-refresh", RouteRefresh.class))
        .isEqualTo(new RouteRefresh(AddressFamily.IPV4_UNICAST, 0));
    // ... and FRR answers it with Beginning-of-Route-Refresh (RFC 7313 §4, subtype 1).
    assertThat(decode(FRR, "route-refresh", RouteRefresh.class))
        .isEqualTo(new RouteRefresh(AddressFamily.IPV4_UNICAST, 1));
  }
}
