package dev.netctl.bgp.codec;

import static dev.netctl.bgp.codec.BgpDecoderMalformedTest.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.PathAttribute.AsPath;
import dev.netctl.bgp.codec.PathAttribute.Segment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An attribute decoded again from the same octets is the object decoded before (RecentAttributes),
 * and only when the same octets mean the same value.
 */
class RecentAttributesTest {
  // ORIGIN IGP, NEXT_HOP 10.0.0.1, COMMUNITIES 65000:1 (RFC 1997).
  private static final String REST = "40 01 01 00" + "40 03 04 0a000001" + "c0 08 04 fde80001";

  private static Update decoded(byte[] wire, CodecContext ctx) {
    DecodeResult r = BgpDecoder.decode(wire, ctx);
    assertThat(r).as("decode result").isInstanceOf(DecodeResult.Decoded.class);
    return (Update) ((DecodeResult.Decoded) r).message();
  }

  @Test
  void theSameOctetsAgainGiveTheAttributesDecodedBefore() {
    // AS_PATH: AS_SEQUENCE of 4-octet 65000, 4200000000 (RFC 6793).
    byte[] wire = update("40 02 0a 02 02 0000fde8 fa56ea00" + REST);
    List<PathAttribute> first = decoded(wire, CodecContext.FOUR_OCTET).attributes();
    List<PathAttribute> again = decoded(wire.clone(), CodecContext.FOUR_OCTET).attributes();
    assertThat(again).isEqualTo(first);
    for (int i = 0; i < first.size(); i++) {
      assertThat(again.get(i)).as("attribute %s", first.get(i)).isSameAs(first.get(i));
    }
    assertThat(first.get(1)).isEqualTo(AsPath.sequence(65000, 4_200_000_000L));
  }

  @Test
  void anAsPathOfTwoOctetNumbersIsReadAsSuchAfterTheSameOctetsOfFourOctetOnes() {
    // Ten octets that are an AS_PATH either way (RFC 6793 §4): with 4-octet numbers one
    // AS_SEQUENCE of 0x00010002 and 0x02010003, with 2-octet ones AS_SEQUENCEs [1, 2] and [3].
    String path = "40 02 0a 02 02 0001 0002 02 01 0003";
    AsPath four =
        (AsPath) decoded(update(path + REST), CodecContext.FOUR_OCTET).attributes().get(1);
    AsPath two = (AsPath) decoded(update(path + REST), CodecContext.INITIAL).attributes().get(1);
    assertThat(four).isEqualTo(AsPath.sequence(0x00010002L, 0x02010003L));
    assertThat(two).isEqualTo(new AsPath(List.of(Segment.sequence(1, 2), Segment.sequence(3))));
  }

  @Test
  void aValueIsFoundAgainAfterALongerOneAndNeverForOneDifferingInItsLastOctet() {
    // AS_PATHs of one, and of three, 4-octet numbers: 6 and 14 octets, the shorter one's last word
    // partial; the thread's copy of the longer one must not leak into the shorter one's compare.
    String one = "40 02 06 02 01 0000fde8";
    String three = "40 02 0e 02 03 0000fde8 0000fde9 0000fdea";
    String neighbour = "40 02 06 02 01 0000fde9"; // differs from one in its very last octet
    PathAttribute first = decoded(update(one + REST), CodecContext.FOUR_OCTET).attributes().get(1);
    PathAttribute longer =
        decoded(update(three + REST), CodecContext.FOUR_OCTET).attributes().get(1);
    PathAttribute again = decoded(update(one + REST), CodecContext.FOUR_OCTET).attributes().get(1);
    PathAttribute other =
        decoded(update(neighbour + REST), CodecContext.FOUR_OCTET).attributes().get(1);
    assertThat(again).isSameAs(first).isEqualTo(AsPath.sequence(65000));
    assertThat(longer).isEqualTo(AsPath.sequence(65000, 65001, 65002));
    assertThat(other).isEqualTo(AsPath.sequence(65001));
  }

  @Test
  void aMalformedValueIsRejectedEveryTimeItComes() {
    // NEXT_HOP 0.0.0.0 (RFC 4271 §6.3, RFC 7606 §7.3): treat-as-withdraw, however often it comes.
    byte[] wire = update("40 01 01 00" + "40 02 06 02 01 0000fde8" + "40 03 04 00000000");
    for (int i = 0; i < 3; i++) {
      BgpDecoderMalformedTest.withdrawn(wire.clone());
    }
  }
}
