package dev.netctl.bgp.codec;

import static dev.netctl.bgp.codec.Hex.MARKER;
import static dev.netctl.bgp.codec.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.bgp.codec.BgpMessage.Open;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.PathAttribute.Segment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Encoder output checked against RFC fixtures, and decode(encode(m)) == m for every type. */
class BgpEncoderTest {
  static final CodecContext ADD_PATH =
      new CodecContext(true, Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST), true);

  static Inet4Address v4(String s) throws Exception {
    return (Inet4Address) InetAddress.getByName(s);
  }

  static void assertRoundTrip(BgpMessage m, CodecContext ctx) {
    byte[] wire = BgpEncoder.encode(m, ctx);
    DecodeResult r = BgpDecoder.decode(wire, ctx);
    assertThat(r)
        .as("decoding %s", Hex.hex(wire))
        .isEqualTo(new DecodeResult.Decoded(m, List.of()));
  }

  static List<PathAttribute> allAttributes(CodecContext ctx) throws Exception {
    List<PathAttribute> list = new ArrayList<>();
    list.add(new PathAttribute.Origin(PathAttribute.OriginType.EGP));
    list.add(
        new AsPath(
            List.of(
                Segment.sequence(65001, 4200000000L),
                Segment.set(1, 2, 3),
                new Segment(PathAttribute.SegmentType.AS_CONFED_SEQUENCE, List.of(64512L)))));
    list.add(new PathAttribute.NextHop(v4("192.0.2.7")));
    list.add(new PathAttribute.MultiExitDisc(0xffffffffL));
    list.add(new PathAttribute.LocalPref(200));
    list.add(new PathAttribute.AtomicAggregate());
    list.add(new PathAttribute.Aggregator(65010, v4("10.9.9.9")));
    list.add(new PathAttribute.Communities(List.of(0xffffff01, 0x00010002)));
    list.add(new PathAttribute.OriginatorId(v4("10.0.0.9")));
    list.add(new PathAttribute.ClusterList(List.of(v4("10.0.0.1"), v4("10.0.0.2"))));
    list.add(
        new PathAttribute.MpReach(
            AddressFamily.IPV6_UNICAST,
            List.of(InetAddress.getByName("2001:db8::1"), InetAddress.getByName("fe80::1")),
            List.of(
                new Nlri(
                    ctx.addPath(AddressFamily.IPV6_UNICAST) ? 5 : 0,
                    Prefix.parse("2001:db8:5::/48")))));
    list.add(
        new PathAttribute.MpUnreach(
            AddressFamily.IPV6_UNICAST, List.of(Nlri.of(Prefix.parse("::/0")))));
    list.add(
        new PathAttribute.LargeCommunities(
            List.of(new PathAttribute.LargeCommunity(4200000000L, 1, 0xffffffffL))));
    list.add(new PathAttribute.Unknown(0xe0, 99, bytes("00112233")));
    return list;
  }

  @Test
  void everyAttributeRoundTripsOnFourOctetSession() throws Exception {
    CodecContext ctx = CodecContext.FOUR_OCTET;
    Update u =
        new Update(
            List.of(Nlri.of("10.1.0.0/16")),
            allAttributes(ctx),
            List.of(Nlri.of("10.2.3.0/24"), Nlri.of("0.0.0.0/0"), Nlri.of("10.2.3.4/32")));
    assertRoundTrip(u, ctx);
  }

  @Test
  void everyAttributeRoundTripsWithAddPathAndExtendedMessages() throws Exception {
    Update u =
        new Update(
            List.of(new Nlri(9, Prefix.parse("10.1.0.0/16"))),
            allAttributes(ADD_PATH),
            List.of(new Nlri(-1, Prefix.parse("10.2.3.0/24"))));
    assertRoundTrip(u, ADD_PATH);
  }

  @Test
  void as4AttributesRoundTripOnTwoOctetSession() throws Exception {
    Update u =
        new Update(
            List.of(),
            List.of(
                new PathAttribute.Origin(PathAttribute.OriginType.IGP),
                AsPath.sequence(65001, 23456),
                new PathAttribute.NextHop(v4("10.0.0.1")),
                new PathAttribute.Aggregator(23456, v4("10.0.0.1")),
                new PathAttribute.As4Path(List.of(Segment.sequence(65001, 4200000000L))),
                new PathAttribute.As4Aggregator(4200000001L, v4("10.0.0.1"))),
            List.of(Nlri.of("10.0.0.0/8")));
    assertRoundTrip(u, CodecContext.INITIAL);
  }

  @Test
  void attributesAreWrittenInAscendingTypeOrder() throws Exception {
    Update u =
        new Update(
            List.of(),
            List.of(
                new PathAttribute.NextHop(v4("10.0.0.1")),
                new PathAttribute.LocalPref(100),
                AsPath.EMPTY,
                new PathAttribute.Origin(PathAttribute.OriginType.IGP)),
            List.of(Nlri.of("10.0.0.0/8")));
    byte[] wire = BgpEncoder.encode(u, CodecContext.FOUR_OCTET);
    assertThat(Hex.hex(wire))
        .isEqualTo(
            Hex.hex(
                bytes(
                    MARKER,
                    "002e", // 46
                    "02",
                    "0000",
                    "0015", // 21
                    "40 01 01 00", // ORIGIN (1)
                    "40 02 00", // AS_PATH (2), empty
                    "40 03 04 0a000001", // NEXT_HOP (3)
                    "40 05 04 00000064", // LOCAL_PREF (5)
                    "08 0a")));
  }

  @Test
  void longAttributeUsesExtendedLengthAndLongPathIsSplitInto255AsnSegments() throws Exception {
    long[] asns = LongStream.rangeClosed(1, 300).toArray();
    Update u =
        new Update(
            List.of(),
            List.of(
                new PathAttribute.Origin(PathAttribute.OriginType.IGP),
                AsPath.sequence(asns),
                new PathAttribute.NextHop(v4("10.0.0.1"))),
            List.of(Nlri.of("10.0.0.0/8")));
    byte[] wire = BgpEncoder.encode(u, CodecContext.FOUR_OCTET);
    // Skip header (19), withdrawn length (2), attribute length (2), ORIGIN (4): AS_PATH header.
    int at = 19 + 2 + 2 + 4;
    assertThat(wire[at] & 0xff).as("AS_PATH flags with extended length").isEqualTo(0x50);
    int valueLength = ((wire[at + 2] & 0xff) << 8) | (wire[at + 3] & 0xff);
    assertThat(valueLength).isEqualTo(2 + 255 * 4 + 2 + 45 * 4);
    assertThat(wire[at + 5] & 0xff).as("first segment count").isEqualTo(255);
    assertThat(wire[at + 4 + 2 + 255 * 4 + 1] & 0xff).as("second segment count").isEqualTo(45);
    Update back =
        (Update)
            ((DecodeResult.Decoded) BgpDecoder.decode(wire, CodecContext.FOUR_OCTET)).message();
    assertThat(back.attribute(AsPath.class).orElseThrow().pathLength()).isEqualTo(300);
  }

  @Test
  void fourOctetAsTowardTwoOctetPeerBecomesAsTransPlusAs4Path() throws Exception {
    Update u =
        new Update(
            List.of(),
            List.of(
                new PathAttribute.Origin(PathAttribute.OriginType.IGP),
                AsPath.sequence(4200000000L, 65001),
                new PathAttribute.NextHop(v4("10.0.0.1")),
                new PathAttribute.Aggregator(4200000000L, v4("10.0.0.2"))),
            List.of(Nlri.of("10.0.0.0/8")));
    Update back =
        (Update)
            ((DecodeResult.Decoded)
                    BgpDecoder.decode(
                        BgpEncoder.encode(u, CodecContext.INITIAL), CodecContext.INITIAL))
                .message();
    assertThat(back.attribute(AsPath.class)).contains(AsPath.sequence(23456, 65001));
    assertThat(back.attribute(PathAttribute.As4Path.class))
        .contains(new PathAttribute.As4Path(List.of(Segment.sequence(4200000000L, 65001))));
    assertThat(back.attribute(PathAttribute.Aggregator.class))
        .contains(new PathAttribute.Aggregator(23456, v4("10.0.0.2")));
    assertThat(back.attribute(PathAttribute.As4Aggregator.class))
        .contains(new PathAttribute.As4Aggregator(4200000000L, v4("10.0.0.2")));
  }

  @Test
  void openRoundTripsAndWritesAsTransForFourOctetAs() throws Exception {
    Open open =
        new Open(
            4,
            4200000000L,
            90,
            v4("10.0.0.1"),
            List.of(
                new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
                new Capability.Multiprotocol(AddressFamily.IPV6_UNICAST),
                new Capability.RouteRefresh(),
                new Capability.EnhancedRouteRefresh(),
                new Capability.ExtendedMessage(),
                new Capability.FourOctetAs(4200000000L),
                new Capability.GracefulRestart(
                    false,
                    120,
                    List.of(
                        new Capability.GracefulRestartFamily(AddressFamily.IPV4_UNICAST, false))),
                new Capability.AddPath(
                    List.of(
                        new Capability.AddPathFamily(
                            AddressFamily.IPV6_UNICAST, Capability.AddPathMode.RECEIVE))),
                new Capability.Unknown(200, bytes("01"))));
    byte[] wire = BgpEncoder.encode(open, CodecContext.INITIAL);
    // After the 19-octet header: version 4, AS_TRANS (5ba0), hold time 90 (005a).
    assertThat(Hex.hex(wire).substring(38, 48))
        .as("version, AS_TRANS, hold time")
        .isEqualTo("045ba0005a");
    assertRoundTrip(open, CodecContext.INITIAL);
    assertThatThrownBy(
            () ->
                BgpEncoder.encode(
                    new Open(4, 70000, 90, v4("10.0.0.1"), List.of()), CodecContext.INITIAL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("70000");
  }

  @Test
  void otherMessagesRoundTrip() {
    assertRoundTrip(BgpMessage.Keepalive.INSTANCE, CodecContext.INITIAL);
    assertRoundTrip(new BgpMessage.Notification(6, 4, bytes("0548656c6c6f")), CodecContext.INITIAL);
    assertRoundTrip(
        BgpMessage.RouteRefresh.request(AddressFamily.IPV4_UNICAST), CodecContext.INITIAL);
    assertRoundTrip(
        new BgpMessage.RouteRefresh(AddressFamily.IPV6_UNICAST, 2), CodecContext.INITIAL);
    assertRoundTrip(Update.endOfRib(AddressFamily.IPV4_UNICAST), CodecContext.FOUR_OCTET);
    assertRoundTrip(Update.endOfRib(AddressFamily.IPV6_UNICAST), CodecContext.FOUR_OCTET);
  }

  @Test
  void endOfRibWireForm() {
    assertThat(
            BgpEncoder.encode(Update.endOfRib(AddressFamily.IPV6_UNICAST), CodecContext.FOUR_OCTET))
        .isEqualTo(bytes(MARKER, "001d", "02", "0000", "0006", "80 0f 03 0002 01"));
    assertThat(
            BgpEncoder.encode(Update.endOfRib(AddressFamily.IPV4_UNICAST), CodecContext.FOUR_OCTET))
        .isEqualTo(bytes(MARKER, "0017", "02", "0000", "0000"));
  }

  @Test
  void oversizedUpdateIsRejectedUnlessExtendedMessagesWereNegotiated() throws Exception {
    List<Nlri> many = new ArrayList<>();
    for (int i = 0; i < 1100; i++) {
      many.add(Nlri.of(Prefix.ipv4(0x0a000000 | (i << 8), 24)));
    }
    Update u =
        new Update(
            List.of(),
            List.of(
                new PathAttribute.Origin(PathAttribute.OriginType.IGP),
                AsPath.EMPTY,
                new PathAttribute.NextHop(v4("10.0.0.1"))),
            many);
    assertThatThrownBy(() -> BgpEncoder.encode(u, CodecContext.FOUR_OCTET))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4096");
    assertRoundTrip(u, new CodecContext(true, Set.of(), true));
  }

  @Test
  void unknownTransitiveForwardedGetsPartialBit() {
    PathAttribute.Unknown u = new PathAttribute.Unknown(0xc0, 99, bytes("01"));
    assertThat(u.forwarded().flags()).isEqualTo(0xe0);
  }

  /**
   * An UPDATE of packed IPv4 prefixes and packer-encoded attributes (what an update group sends)
   * goes into a heap buffer's array by a path of its own: the same octets as the general encoding
   * (a direct buffer has no array), with or without ADD-PATH and for either AS width, written at
   * the buffer's offset, and an oversized one rejected with the buffer left as it was.
   */
  @Test
  void packedUpdateIntoHeapArrayMatchesTheGeneralEncoding() throws Exception {
    List<String> prefixes =
        List.of("0.0.0.0/0", "10.0.0.0/8", "172.16.128.0/17", "192.0.2.0/24", "192.0.2.77/32");
    List<PathAttribute> attributes =
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.IGP),
            AsPath.sequence(4200000000L, 65001),
            new PathAttribute.NextHop(v4("10.0.0.1")),
            new PathAttribute.MultiExitDisc(7));
    for (CodecContext ctx : List.of(CodecContext.FOUR_OCTET, CodecContext.INITIAL, ADD_PATH)) {
      List<PathAttribute> encoded = UpdatePacker.encode(attributes, ctx);
      List<Update> updates =
          List.of(
              new Update(packed(prefixes), List.of(), List.of()),
              new Update(List.of(), encoded, packed(prefixes)),
              new Update(packed(prefixes), encoded, packed(prefixes.subList(1, 3))));
      for (Update u : updates) {
        // Three octets ahead of it, and an array offset: the message goes where the index is.
        ByteBuf heap = Unpooled.wrappedBuffer(new byte[8192], 5, 8000).clear().writeMedium(7);
        ByteBuf direct = Unpooled.directBuffer().writeMedium(7);
        BgpEncoder.encode(u, ctx, heap);
        BgpEncoder.encode(u, ctx, direct);
        assertThat(ByteBufUtil.getBytes(heap)).isEqualTo(ByteBufUtil.getBytes(direct));
        if (ctx.fourOctetAs()) {
          // Toward a 2-octet peer the path decodes merged from AS_PATH and AS4_PATH, as a list
          // the message did not hold; the octets, compared above, are what matters there.
          assertRoundTrip(u, ctx);
        }
        direct.release();
      }
    }
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 1100; i++) {
      many.add(Prefix.ipv4(0x0a000000 | (i << 8), 24).toString());
    }
    Update oversized =
        new Update(
            List.of(), UpdatePacker.encode(attributes, CodecContext.FOUR_OCTET), packed(many));
    ByteBuf heap = Unpooled.buffer().writeMedium(7);
    assertThatThrownBy(() -> BgpEncoder.encode(oversized, CodecContext.FOUR_OCTET, heap))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4096");
    assertThat(heap.writerIndex()).isEqualTo(3);
  }

  private static Ipv4NlriList packed(List<String> prefixes) {
    Ipv4NlriList.Builder b = new Ipv4NlriList.Builder();
    for (String p : prefixes) {
      b.add(Ipv4NlriList.pack(Prefix.parse(p)));
    }
    return b.build();
  }
}
