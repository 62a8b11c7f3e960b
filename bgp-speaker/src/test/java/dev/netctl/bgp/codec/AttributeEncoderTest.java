package dev.netctl.bgp.codec;

import static dev.netctl.bgp.codec.BgpEncoderTest.v4;
import static dev.netctl.bgp.codec.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.PathAttribute.Segment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The attribute encoder writes into an {@link OctetWriter}: its octets must be those of the Netty
 * {@code ByteBuf} encoder it replaced ({@link ByteBufAttributeEncoder}), for every attribute type,
 * toward 2-octet and 4-octet peers (RFC 6793 §4.2.2), with ADD-PATH, and past 255 octets (extended
 * length, RFC 4271 §4.3).
 */
class AttributeEncoderTest {
  private static final CodecContext TWO_OCTET = CodecContext.INITIAL;
  private static final CodecContext FOUR_OCTET = CodecContext.FOUR_OCTET;

  // Every context the encoder distinguishes: AS width, and ADD-PATH for the MP NLRI.
  private static List<CodecContext> contexts() {
    return List.of(
        TWO_OCTET,
        FOUR_OCTET,
        BgpEncoderTest.ADD_PATH,
        new CodecContext(false, Set.of(AddressFamily.IPV6_UNICAST), false));
  }

  private static byte[] oracle(List<PathAttribute> attributes, CodecContext ctx) {
    ByteBuf out = Unpooled.buffer();
    ByteBufAttributeEncoder.writeAll(out, attributes, ctx);
    return ByteBufUtil.getBytes(out);
  }

  private static void assertSameOctets(List<PathAttribute> attributes, CodecContext ctx) {
    byte[] expected = oracle(attributes, ctx);
    assertThat(AttributeEncoder.encode(attributes, ctx))
        .as("%s toward %s", attributes, ctx)
        .isEqualTo(expected);
    // The ByteBuf entry point (UPDATEs not encoded ahead) writes the same, after what is there.
    ByteBuf out = Unpooled.buffer();
    out.writeByte(0x5a);
    AttributeEncoder.writeAll(out, attributes, ctx);
    byte[] written = ByteBufUtil.getBytes(out);
    assertThat(written[0]).isEqualTo((byte) 0x5a);
    assertThat(Arrays.copyOfRange(written, 1, written.length)).isEqualTo(expected);
  }

  // Attributes beyond BgpEncoderTest's: the AS4 ones, a 4-octet aggregator, an IPv4 MP_REACH.
  private static List<PathAttribute> more() throws Exception {
    return List.of(
        new PathAttribute.As4Path(List.of(Segment.sequence(65001, 4200000000L), Segment.set(7))),
        new PathAttribute.As4Aggregator(4200000001L, v4("10.0.0.1")),
        new PathAttribute.Aggregator(4200000002L, v4("10.0.0.2")),
        new PathAttribute.MpReach(
            AddressFamily.IPV4_UNICAST,
            List.of(v4("192.0.2.1")),
            List.of(Nlri.of("10.2.0.0/15"), Nlri.of("0.0.0.0/0"), Nlri.of("10.2.3.4/32"))));
  }

  @Test
  void everyAttributeTypeAloneIsWrittenAsTheByteBufEncoderWroteIt() throws Exception {
    Set<Class<?>> covered = new HashSet<>();
    for (CodecContext ctx : contexts()) {
      List<PathAttribute> all = new ArrayList<>(BgpEncoderTest.allAttributes(ctx));
      all.addAll(more());
      for (PathAttribute a : all) {
        assertSameOctets(List.of(a), ctx);
        covered.add(a.getClass());
      }
    }
    assertThat(covered)
        .as("one of every attribute type")
        .containsExactlyInAnyOrder(PathAttribute.class.getPermittedSubclasses());
  }

  @Test
  void wholeSetsInAnyOrderAreWrittenAsTheByteBufEncoderWroteThem() throws Exception {
    for (CodecContext ctx : contexts()) {
      List<PathAttribute> all = new ArrayList<>(BgpEncoderTest.allAttributes(ctx));
      assertSameOctets(all, ctx);
      // Out of type order: sorted on the way (the 4-octet fast path finds out part-way through).
      List<PathAttribute> reversed = new ArrayList<>(all);
      java.util.Collections.reverse(reversed);
      assertSameOctets(reversed, ctx);
      List<PathAttribute> lastSwapped = new ArrayList<>(all);
      java.util.Collections.swap(lastSwapped, all.size() - 1, all.size() - 2);
      assertSameOctets(lastSwapped, ctx);
      // 4-octet numbers toward a 2-octet peer: AS_TRANS, AS4_PATH and AS4_AGGREGATOR added.
      List<PathAttribute> wide =
          List.of(
              new PathAttribute.Origin(PathAttribute.OriginType.IGP),
              AsPath.sequence(65001, 4200000000L),
              new PathAttribute.NextHop(v4("10.0.0.1")),
              new PathAttribute.Aggregator(4200000002L, v4("10.0.0.2")));
      assertSameOctets(wide, ctx);
      assertSameOctets(List.of(), ctx);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {63, 64, 255, 256, 300, 1000})
  void longValuesTakeTheExtendedLengthAsBefore(int asns) throws Exception {
    // 4 octets per ASN toward a 4-octet peer: 64 of them (258 octets with the segment header)
    // are the first to need the extended length; over 255 the path splits into segments.
    List<PathAttribute> set =
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.IGP),
            new AsPath(List.of(Segment.sequence(LongStream.range(1, asns + 1).toArray()))),
            new PathAttribute.NextHop(v4("10.0.0.1")),
            new PathAttribute.Communities(
                java.util.stream.IntStream.range(0, asns).boxed().toList()),
            new PathAttribute.Unknown(0xc0, 200, new byte[asns]));
    for (CodecContext ctx : contexts()) {
      assertSameOctets(set, ctx);
    }
  }

  @Test
  void aLongSetDoesNotStayAsTheThreadsScratchNorSpoilTheNextOne() throws Exception {
    List<PathAttribute> big = List.of(new PathAttribute.Unknown(0xc0, 200, new byte[10_000]));
    List<PathAttribute> small = List.of(new PathAttribute.LocalPref(7));
    assertSameOctets(big, FOUR_OCTET);
    assertThat(AttributeEncoder.encode(small, FOUR_OCTET)).isEqualTo(bytes("40050400000007"));
  }

  @Test
  void whatCannotBeEncodedFailsAsBeforeAndLeavesNothingBehind() throws Exception {
    List<PathAttribute> emptySegment =
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.IGP),
            new AsPath(List.of(new Segment(PathAttribute.SegmentType.AS_SEQUENCE, List.of()))));
    assertThatThrownBy(() -> AttributeEncoder.encode(emptySegment, FOUR_OCTET))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("AS_PATH segment AS_SEQUENCE must not be empty");
    List<PathAttribute> tooLong = List.of(new PathAttribute.Unknown(0xc0, 200, new byte[65_536]));
    assertThatThrownBy(() -> AttributeEncoder.encode(tooLong, FOUR_OCTET))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("65536 octets exceeds 65535");
    ByteBuf out = Unpooled.buffer();
    assertThatThrownBy(() -> AttributeEncoder.writeAll(out, emptySegment, FOUR_OCTET))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(out.readableBytes()).as("nothing written").isZero();
    assertSameOctets(List.of(new PathAttribute.MultiExitDisc(5)), FOUR_OCTET);
  }

  @Test
  void theWriterGrowsAndMovesOctetsUp() {
    OctetWriter w = new OctetWriter(2);
    w.writeByte(1);
    w.writeShort(0x0203);
    w.writeInt(0x04050607);
    w.writeBytes(new byte[] {8, 9});
    w.openAt(1);
    w.setByte(1, 0x7f);
    assertThat(w.toByteArray()).containsExactly(1, 0x7f, 2, 3, 4, 5, 6, 7, 8, 9);
    w.rewind(3);
    int at = w.reserve(40);
    w.array()[at] = 10;
    w.advanceTo(at + 1);
    assertThat(w.toByteArray()).containsExactly(1, 0x7f, 2, 10);
    w.reset();
    assertThat(w.size()).isZero();
  }
}
