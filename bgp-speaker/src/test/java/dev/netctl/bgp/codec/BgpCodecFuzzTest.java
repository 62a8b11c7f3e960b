package dev.netctl.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the decoder (regression mode in {@code mvn verify}, real fuzzing with
 * {@code JAZZER_FUZZ=1}). Invariants: the decoder never throws nor hits its safety net, and a
 * decoded message re-encodes to bytes that decode to an equal message.
 */
class BgpCodecFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void decoderNeverThrowsAndRoundTrips(FuzzedDataProvider data) {
    CodecContext ctx =
        new CodecContext(
            data.consumeBoolean(),
            data.consumeBoolean()
                ? Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST)
                : Set.of(),
            data.consumeBoolean());
    byte[] body = data.consumeRemainingAsBytes();
    // Give the fuzzer a valid header so it explores bodies instead of only marker errors.
    byte[] wire = new byte[19 + body.length];
    java.util.Arrays.fill(wire, 0, 16, (byte) 0xff);
    wire[16] = (byte) (wire.length >>> 8);
    wire[17] = (byte) wire.length;
    wire[18] = body.length > 0 ? (byte) (1 + Math.floorMod(body[0], 5)) : 4;
    System.arraycopy(body, 0, wire, 19, body.length);
    if (body.length > 0) {
      wire[19] = body[0];
    }
    check(wire, ctx);
    check(body, ctx);
  }

  static void check(byte[] wire, CodecContext ctx) {
    DecodeResult r = BgpDecoder.decode(wire, ctx);
    if (r instanceof DecodeResult.Failed f) {
      assertThat(f.error().reason()).doesNotStartWith(BgpDecoder.INTERNAL_ERROR);
    }
    if (r instanceof DecodeResult.Decoded d) {
      byte[] again = BgpEncoder.encode(d.message(), ctx);
      DecodeResult r2 = BgpDecoder.decode(again, ctx);
      assertThat(r2).isInstanceOf(DecodeResult.Decoded.class);
      assertThat(((DecodeResult.Decoded) r2).message()).isEqualTo(d.message());
    }
  }
}
