package dev.netctl.bgp.codec;

import static dev.netctl.bgp.codec.Hex.MARKER;
import static dev.netctl.bgp.codec.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.BgpMessage.Keepalive;
import dev.netctl.bgp.codec.BgpMessage.Notification;
import dev.netctl.bgp.codec.BgpMessage.Open;
import dev.netctl.bgp.codec.BgpMessage.RouteRefresh;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.PathAttribute.NextHop;
import dev.netctl.bgp.codec.PathAttribute.Origin;
import dev.netctl.bgp.codec.PathAttribute.OriginType;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Well-formed fixtures written from RFC 4271 §4, decoded field by field. */
class BgpDecoderTest {

  static Inet4Address v4(String s) throws Exception {
    return (Inet4Address) InetAddress.getByName(s);
  }

  static BgpMessage decoded(byte[] wire, CodecContext ctx) {
    DecodeResult r = BgpDecoder.decode(wire, ctx);
    assertThat(r).as("decode result").isInstanceOf(DecodeResult.Decoded.class);
    assertThat(((DecodeResult.Decoded) r).discarded()).as("discarded attributes").isEmpty();
    return ((DecodeResult.Decoded) r).message();
  }

  @Test
  void keepaliveIsJustTheHeader() {
    byte[] wire =
        bytes(
            MARKER, // marker (RFC 4271 §4.1)
            "0013", // length 19
            "04"); // type KEEPALIVE
    assertThat(decoded(wire, CodecContext.INITIAL)).isEqualTo(Keepalive.INSTANCE);
  }

  @Test
  void openWithCapabilitiesDecodesEveryField() throws Exception {
    byte[] wire =
        bytes(
            MARKER,
            "0039", // length 57
            "01", // type OPEN
            "04", // version 4 (RFC 4271 §4.2)
            "5ba0", // my AS 23456 = AS_TRANS (RFC 6793)
            "005a", // hold time 90
            "0a000001", // BGP identifier 10.0.0.1
            "1c", // optional parameters length 28
            "02 06 01 04 0001 00 01", // param 2 (capabilities): multiprotocol IPv4 unicast
            "02 02 02 00", // route refresh (RFC 2918)
            "02 06 41 04 fa56ea00", // 4-octet AS 4200000000 (RFC 6793)
            "02 06 45 04 0001 01 03"); // add-path IPv4 unicast send/receive (RFC 7911)
    Open open = (Open) decoded(wire, CodecContext.INITIAL);
    assertThat(open.version()).isEqualTo(4);
    assertThat(open.myAs()).as("AS from the 4-octet capability").isEqualTo(4200000000L);
    assertThat(open.holdTime()).isEqualTo(90);
    assertThat(open.bgpId()).isEqualTo(v4("10.0.0.1"));
    assertThat(open.capabilities())
        .containsExactly(
            new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
            new Capability.RouteRefresh(),
            new Capability.FourOctetAs(4200000000L),
            new Capability.AddPath(
                List.of(
                    new Capability.AddPathFamily(
                        AddressFamily.IPV4_UNICAST, Capability.AddPathMode.BOTH))));
  }

  @Test
  void openWithGracefulRestartAndUnknownCapability() throws Exception {
    byte[] wire =
        bytes(
            MARKER,
            "002f", // length 47
            "01",
            "04",
            "fde8", // my AS 65000
            "0000", // hold time 0: no keepalives (RFC 4271 §4.2)
            "c0a80001", // 192.168.0.1
            "12", // optional parameters length 18
            "02 10", // one parameter of 16 octets holding three capabilities
            "40 06 8078 0002 01 80", // graceful restart: R bit, 120 s; IPv6 unicast, F bit
            "06 00", // extended message (RFC 8654)
            "83 04 deadbeef"); // unknown capability 131, carried
    Open open = (Open) decoded(wire, CodecContext.INITIAL);
    assertThat(open.myAs()).isEqualTo(65000);
    assertThat(open.holdTime()).isZero();
    assertThat(open.capabilities())
        .containsExactly(
            new Capability.GracefulRestart(
                true,
                120,
                List.of(new Capability.GracefulRestartFamily(AddressFamily.IPV6_UNICAST, true))),
            new Capability.ExtendedMessage(),
            new Capability.Unknown(131, bytes("deadbeef")));
    assertThat(open.capabilities().get(2).code().isKnown()).isFalse();
  }

  @Test
  void updateWithIpv4NlriAndWithdrawals() throws Exception {
    byte[] wire =
        bytes(
            MARKER,
            "0044", // length 68
            "02", // UPDATE
            "0004", // withdrawn routes length 4 (RFC 4271 §4.3)
            "18 0a0102", // withdrawn 10.1.2.0/24
            "0026", // total path attribute length 38
            "40 01 01 00", // ORIGIN (well-known transitive) IGP
            "40 02 0a 02 02 0000fde8 0000fde9", // AS_PATH: AS_SEQUENCE 65000 65001 (4-octet)
            "40 03 04 c0000201", // NEXT_HOP 192.0.2.1
            "80 04 04 00000064", // MULTI_EXIT_DISC 100 (optional non-transitive)
            "c0 08 04 fde80001", // COMMUNITIES 65000:1 (optional transitive, RFC 1997)
            "10 0a00"); // NLRI 10.0.0.0/16
    Update u = (Update) decoded(wire, CodecContext.FOUR_OCTET);
    assertThat(u.withdrawn()).containsExactly(Nlri.of("10.1.2.0/24"));
    assertThat(u.nlri()).containsExactly(Nlri.of("10.0.0.0/16"));
    assertThat(u.attributes())
        .containsExactly(
            new Origin(OriginType.IGP),
            AsPath.sequence(65000, 65001),
            new NextHop(v4("192.0.2.1")),
            new PathAttribute.MultiExitDisc(100),
            new PathAttribute.Communities(List.of(0xfde80001)));
  }

  @Test
  void attributesSentOutOfOrderDecodeInTypeOrder() throws Exception {
    // RFC 4271 §5: attributes SHOULD be ascending, but a receiver accepts any order.
    byte[] wire =
        bytes(
            MARKER,
            "002f", // length 47
            "02", // UPDATE
            "0000", // no withdrawn routes
            "0015", // total path attribute length 21
            "80 04 04 00000064", // MULTI_EXIT_DISC 100 first
            "40 03 04 c0000201", // NEXT_HOP 192.0.2.1
            "40 02 00", // empty AS_PATH
            "40 01 01 00", // ORIGIN last
            "10 0a00"); // NLRI 10.0.0.0/16
    Update u = (Update) decoded(wire, CodecContext.FOUR_OCTET);
    assertThat(u.attributes())
        .containsExactly(
            new Origin(OriginType.IGP),
            new AsPath(List.of()),
            new NextHop(v4("192.0.2.1")),
            new PathAttribute.MultiExitDisc(100));
  }

  @Test
  void twoOctetAsPathAndAs4PathFromOldSpeaker() throws Exception {
    byte[] wire =
        bytes(
            MARKER,
            "0034", // 52
            "02",
            "0000", // no withdrawals
            "001b", // attributes 27
            "40 01 01 02", // ORIGIN INCOMPLETE
            "40 02 04 02 01 5ba0", // AS_PATH SEQ [AS_TRANS] in 2-octet form
            "40 03 04 0a000001", // NEXT_HOP 10.0.0.1
            "c0 11 06 02 01 fa56ea00", // AS4_PATH SEQ [4200000000] (RFC 6793)
            "08 c0"); // NLRI 192.0.0.0/8
    Update u = (Update) decoded(wire, CodecContext.INITIAL);
    assertThat(u.attribute(AsPath.class)).contains(AsPath.sequence(23456));
    assertThat(u.attribute(PathAttribute.As4Path.class))
        .contains(new PathAttribute.As4Path(List.of(PathAttribute.Segment.sequence(4200000000L))));
    assertThat(u.nlri()).containsExactly(Nlri.of("192.0.0.0/8"));
  }

  @Test
  void mpReachIpv6WithGlobalAndLinkLocalNextHop() throws Exception {
    byte[] wire =
        bytes(
            MARKER,
            "0053", // 83
            "02",
            "0000",
            "003c", // attributes 60
            "40 01 01 00", // ORIGIN IGP
            "40 02 00", // AS_PATH empty (iBGP origination)
            "80 0e 2c", // MP_REACH_NLRI, 44 octets (RFC 4760 §3)
            "0002 01", // AFI IPv6, SAFI unicast
            "20", // next hop length 32: global + link-local (RFC 2545 §3)
            "20010db8000000000000000000000001",
            "fe800000000000000000000000000001",
            "00", // reserved
            "30 20010db80001", // 2001:db8:1::/48
            "80 0f 03 0002 01"); // MP_UNREACH_NLRI with only AFI/SAFI
    Update u = (Update) decoded(wire, CodecContext.FOUR_OCTET);
    PathAttribute.MpReach reach = u.attribute(PathAttribute.MpReach.class).orElseThrow();
    assertThat(reach.family()).isEqualTo(AddressFamily.IPV6_UNICAST);
    assertThat(reach.nextHops())
        .containsExactly(InetAddress.getByName("2001:db8::1"), InetAddress.getByName("fe80::1"));
    assertThat(reach.nlri()).containsExactly(Nlri.of("2001:db8:1::/48"));
    assertThat(u.attribute(PathAttribute.MpUnreach.class))
        .contains(new PathAttribute.MpUnreach(AddressFamily.IPV6_UNICAST, List.of()));
    assertThat(u.allNlri()).containsExactly(Nlri.of("2001:db8:1::/48"));
  }

  @Test
  void addPathNlriCarryPathIdentifiers() {
    byte[] wire =
        bytes(
            MARKER,
            "0024", // 36
            "02",
            "000d", // withdrawn length 13 (RFC 7911 §3: path id before each prefix)
            "00000007 18 0a0000", // path id 7, 10.0.0.0/24
            "00000008 00", // path id 8, 0.0.0.0/0
            "0000"); // no attributes
    CodecContext ctx = new CodecContext(true, Set.of(AddressFamily.IPV4_UNICAST), false);
    Update u = (Update) decoded(wire, ctx);
    assertThat(u.withdrawn())
        .containsExactly(
            new Nlri(7, Prefix.parse("10.0.0.0/24")), new Nlri(8, Prefix.parse("0.0.0.0/0")));
  }

  @Test
  void endOfRibMarkersAreRecognised() {
    byte[] v4 = bytes(MARKER, "0017", "02", "0000", "0000"); // empty UPDATE (RFC 4724 §2)
    byte[] v6 = bytes(MARKER, "001d", "02", "0000", "0006", "80 0f 03 0002 01");
    assertThat(((Update) decoded(v4, CodecContext.FOUR_OCTET)).endOfRibFamily())
        .contains(AddressFamily.IPV4_UNICAST);
    assertThat(((Update) decoded(v6, CodecContext.FOUR_OCTET)).endOfRibFamily())
        .contains(AddressFamily.IPV6_UNICAST);
  }

  @Test
  void notificationCarriesData() {
    byte[] wire =
        bytes(
            MARKER, "0017", // 23
            "03", // NOTIFICATION
            "06 02", // Cease / administrative shutdown (RFC 4486)
            "0162"); // data
    Notification n = (Notification) decoded(wire, CodecContext.INITIAL);
    assertThat(n.errorSubcode()).isEqualTo(NotificationSubcode.ADMINISTRATIVE_SHUTDOWN);
    assertThat(n.data()).isEqualTo(bytes("0162"));
  }

  @Test
  void routeRefreshWithSubtype() {
    byte[] wire =
        bytes(
            MARKER, "0017", // 23
            "05", // ROUTE-REFRESH (RFC 2918 §3)
            "0002", // AFI IPv6
            "01", // subtype BoRR (RFC 7313)
            "01"); // SAFI unicast
    assertThat(decoded(wire, CodecContext.INITIAL))
        .isEqualTo(new RouteRefresh(AddressFamily.IPV6_UNICAST, 1));
  }

  @Test
  void unknownOptionalTransitiveAttributeIsCarried() throws Exception {
    byte[] wire =
        bytes(
            MARKER,
            "0033", // 51
            "02",
            "0000",
            "001a", // 26
            "40 01 01 00",
            "40 02 06 02 01 0000fde8",
            "40 03 04 0a000001",
            "e0 63 03 010203", // type 99, optional transitive partial, 3 octets
            "08 0a"); // 10.0.0.0/8
    Update u = (Update) decoded(wire, CodecContext.FOUR_OCTET);
    PathAttribute.Unknown unknown = u.attribute(PathAttribute.Unknown.class).orElseThrow();
    assertThat(unknown.typeCode()).isEqualTo(99);
    assertThat(unknown.flags()).isEqualTo(0xe0);
    assertThat(unknown.value()).isEqualTo(bytes("010203"));
    assertThat(unknown.isOptionalTransitive()).isTrue();
  }

  @Test
  void extendedLengthAttributeIsRead() {
    StringBuilder communities = new StringBuilder();
    for (int i = 0; i < 70; i++) {
      communities.append(String.format("%08x", i));
    }
    byte[] wire =
        bytes(
            MARKER,
            String.format("%04x", 19 + 4 + 4 + 280),
            "02",
            "0000",
            String.format("%04x", 4 + 280),
            "d0 08 0118", // COMMUNITIES with extended length (0x10) 280
            communities.toString());
    Update u = (Update) decoded(wire, CodecContext.FOUR_OCTET);
    assertThat(u.attribute(PathAttribute.Communities.class).orElseThrow().values()).hasSize(70);
  }

  /**
   * A message framed from the socket is a direct buffer, copied into a buffer the thread reuses for
   * every message: what one decode returns must keep nothing of it, so a second decode cannot
   * change the first result, and a malformed message's NOTIFICATION data must be its own copy.
   */
  @Test
  void directBuffersDecodeAsHeapOnesAndShareNothing() throws Exception {
    CodecContext ctx = CodecContext.FOUR_OCTET;
    byte[] first =
        BgpEncoder.encode(
            new Update(
                List.of(Nlri.of(Prefix.parse("10.9.0.0/16"))),
                List.of(
                    new Origin(OriginType.IGP),
                    AsPath.sequence(64512, 64513, 64514),
                    new NextHop(v4("192.0.2.1")),
                    new PathAttribute.Communities(List.of(0xfde80001, 0xfde80002, 0xfde80003)),
                    new PathAttribute.Unknown(0xc0, 99, new byte[] {1, 2, 3})),
                List.of(Nlri.of(Prefix.parse("198.51.100.0/24")))),
            ctx);
    // ORIGIN of length 2 (RFC 7606 §7.1: treat-as-withdraw, data the whole attribute).
    byte[] malformed =
        bytes(
            MARKER,
            "0020", // length 32
            "02", // UPDATE
            "0000", // no withdrawn routes
            "0005", // attributes length 5
            "40 01 02 0000", // ORIGIN, length 2: malformed
            "18 0a0a0a"); // NLRI 10.10.10.0/24
    byte[] second =
        BgpEncoder.encode(
            new Update(
                List.of(),
                List.of(
                    new Origin(OriginType.EGP),
                    AsPath.sequence(65000),
                    new NextHop(v4("192.0.2.9"))),
                List.of(Nlri.of(Prefix.parse("203.0.113.0/24")))),
            ctx);

    io.netty.buffer.ByteBuf direct = io.netty.buffer.Unpooled.directBuffer(4096);
    try {
      DecodeResult a = BgpDecoder.decode(direct.clear().writeBytes(first), ctx);
      DecodeResult b = BgpDecoder.decode(direct.clear().writeBytes(malformed), ctx);
      DecodeResult c = BgpDecoder.decode(direct.clear().writeBytes(second), ctx);

      assertThat(a).isEqualTo(BgpDecoder.decode(first, ctx));
      assertThat(b).isInstanceOf(DecodeResult.TreatAsWithdraw.class);
      assertThat(((DecodeResult.TreatAsWithdraw) b).error().data())
          .as("NOTIFICATION data: the whole ORIGIN attribute")
          .isEqualTo(bytes("40 01 02 0000"));
      assertThat(b).isEqualTo(BgpDecoder.decode(malformed, ctx));
      assertThat(c).isEqualTo(BgpDecoder.decode(second, ctx));
    } finally {
      direct.release();
    }
  }
}
