package dev.netctl.bgp.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.DecodeResult;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.NotificationSubcode;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The TCP stream cut into BGP messages whatever the reads' boundaries: inside the marker, the
 * length field, the body, or between messages; each read a direct buffer as the socket delivers it,
 * and every one of them released.
 */
class BgpFrameDecoderTest {
  private static final CodecContext CTX = CodecContext.FOUR_OCTET;

  /** Messages of every size a churn sends: a 4 KiB withdrawal, small announcements, KEEPALIVEs. */
  private static List<BgpMessage> messages() throws Exception {
    List<BgpMessage> list = new ArrayList<>();
    List<Nlri> many = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      many.add(Nlri.of(Prefix.parse("10." + (i >> 8) + "." + (i & 255) + ".0/24")));
    }
    list.add(new BgpMessage.Update(many, List.of(), List.of()));
    for (int i = 0; i < 40; i++) {
      list.add(
          new BgpMessage.Update(
              List.of(),
              List.of(
                  new PathAttribute.Origin(PathAttribute.OriginType.IGP),
                  new PathAttribute.AsPath(List.of(PathAttribute.Segment.sequence(65001, i))),
                  new PathAttribute.NextHop(
                      (java.net.Inet4Address) InetAddress.getByName("192.0.2." + (i + 1)))),
              List.of(Nlri.of(Prefix.parse("10.200." + i + ".0/24")))));
      if (i % 7 == 0) list.add(new BgpMessage.Keepalive());
    }
    return list;
  }

  private static byte[] stream(List<BgpMessage> messages) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (BgpMessage m : messages) out.writeBytes(BgpEncoder.encode(m, CTX));
    return out.toByteArray();
  }

  /** Feeds {@code wire} in reads of the given sizes (cycled); returns what came out. */
  private static List<Object> decode(byte[] wire, int[] sizes, List<ByteBuf> reads) {
    BgpFrameDecoder decoder = new BgpFrameDecoder();
    decoder.receive(CTX);
    EmbeddedChannel ch = new EmbeddedChannel(decoder);
    int at = 0;
    for (int k = 0; at < wire.length; k++) {
      int n = Math.min(sizes[k % sizes.length], wire.length - at);
      ByteBuf read = Unpooled.directBuffer(n).writeBytes(wire, at, n);
      reads.add(read);
      ch.writeInbound(read);
      at += n;
    }
    List<Object> out = new ArrayList<>();
    for (Object o; (o = ch.readInbound()) != null; ) out.add(o);
    ch.finishAndReleaseAll();
    return out;
  }

  @Test
  void everyMessageComesOutOnceInOrderWhereverTheReadsEnd() throws Exception {
    List<BgpMessage> messages = messages();
    List<Object> expected = new ArrayList<>();
    for (BgpMessage m : messages) expected.add(new DecodeResult.Decoded(m, List.of()));
    byte[] wire = stream(messages);
    Random random = new Random(26);
    int[][] cuts = {
      {1},
      {7},
      {18},
      {19},
      {100},
      {4096},
      {16384},
      {wire.length},
      random.ints(64, 1, 5000).toArray()
    };
    for (int[] sizes : cuts) {
      List<ByteBuf> reads = new ArrayList<>();
      assertThat(decode(wire, sizes, reads)).as("reads of %s octets", sizes[0]).isEqualTo(expected);
      assertThat(reads).allSatisfy(r -> assertThat(r.refCnt()).as("a read released").isZero());
    }
  }

  @Test
  void aBadLengthSplitAcrossReadsIsReportedAndTheRestDiscarded() throws Exception {
    byte[] good = BgpEncoder.encode(new BgpMessage.Keepalive(), CTX);
    byte[] bad = good.clone();
    bad[16] = 0;
    bad[17] = 5; // a length below the header's 19 octets
    byte[] wire = new byte[good.length * 3];
    System.arraycopy(good, 0, wire, 0, good.length);
    System.arraycopy(bad, 0, wire, good.length, bad.length);
    System.arraycopy(good, 0, wire, 2 * good.length, good.length);
    List<ByteBuf> reads = new ArrayList<>();
    List<Object> out = decode(wire, new int[] {good.length + 17, 3}, reads);
    assertThat(out).hasSize(2);
    assertThat(out.get(0))
        .isEqualTo(new DecodeResult.Decoded(new BgpMessage.Keepalive(), List.of()));
    DecodeResult.Failed failed = (DecodeResult.Failed) out.get(1);
    assertThat(failed.error().subcode()).isEqualTo(NotificationSubcode.BAD_MESSAGE_LENGTH);
    assertThat(reads).allSatisfy(r -> assertThat(r.refCnt()).isZero());
  }
}
