package dev.netctl.bench.bgp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.BgpDecoder;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.DecodeResult;
import dev.netctl.bgp.codec.PathAttribute;
import io.netty.buffer.ByteBuf;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkloadTest {
  @Test
  void aChurnRoundOfFreshSetsDiffersFromTheFirstInLocalPrefAlone() {
    Set<Long> first = localPrefs(announce(Workload.LOCAL_PREF));
    Set<Long> fresh = localPrefs(announce(Workload.LOCAL_PREF + 2));
    assertThat(first).containsExactly(Workload.LOCAL_PREF);
    assertThat(fresh).containsExactly(Workload.LOCAL_PREF + 2);
  }

  private static ByteBuf announce(long localPref) {
    return Workload.announce(
        Workload.BULK_BASE,
        Workload.BULK_LENGTH,
        100,
        10,
        ScenarioRunner.nextHop(0),
        Workload.CHURN_MED,
        localPref);
  }

  // The LOCAL_PREF values of the stream's UPDATEs, each checked to carry the churn's MED.
  private static Set<Long> localPrefs(ByteBuf stream) {
    Set<Long> seen = new HashSet<>();
    int prefixes = 0;
    while (stream.isReadable()) {
      int len = stream.getUnsignedShort(stream.readerIndex() + 16);
      DecodeResult r =
          BgpDecoder.decode(stream.slice(stream.readerIndex(), len), CodecContext.FOUR_OCTET);
      stream.skipBytes(len);
      assertThat(r).isInstanceOf(DecodeResult.Decoded.class);
      BgpMessage.Update u = (BgpMessage.Update) ((DecodeResult.Decoded) r).message();
      prefixes += u.nlri().size();
      for (PathAttribute a : u.attributes()) {
        if (a instanceof PathAttribute.LocalPref l) {
          seen.add(l.value());
        } else if (a instanceof PathAttribute.MultiExitDisc m) {
          assertThat(m.value()).isEqualTo(Workload.CHURN_MED);
        }
      }
    }
    assertThat(prefixes).isEqualTo(100);
    return seen;
  }
}
