package dev.netctl.bench.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class UpdateScannerTest {
  private static final long BASE = 16L << 24; // 16.0.0.0

  /** A hand-made UPDATE (RFC 4271 §4.3), field by field. */
  private static byte[] update() {
    return HexFormat.of()
        .parseHex(
            "ffffffffffffffffffffffffffffffff" // marker
                + "0048" // length 72
                + "02" // type UPDATE
                + "0004" // withdrawn routes length
                + "18100001" // withdrawn 16.0.1.0/24
                + "001d" // total path attribute length 29
                + "40010100" // ORIGIN IGP
                + "400200" // AS_PATH, empty
                + "4003046440000"
                + "1" // NEXT_HOP 100.64.0.1
                + "80040400"
                + "76adf1" // MED 7777777
                + "d0080004fde80001" // COMMUNITIES 65000:1, extended-length flag set
                + "18100000" // NLRI 16.0.0.0/24
                + "18100002" // 16.0.2.0/24
                + "17100004" // 16.0.4.0/23: other length, not tracked
                + "18100003"); // 16.0.3.0/24
  }

  @Test
  void countsAnnouncedAndWithdrawnPrefixesWithTheirMed() {
    byte[] msg = update();
    assertThat(msg).hasSize(72);
    PrefixTally tally = new PrefixTally(BASE, 24, 4, 3, 7_777_777);
    tally.announce(BASE + 256, 24, 5); // 16.0.1.0/24 held before, withdrawn by the message

    UpdateScanner.scan(Unpooled.wrappedBuffer(msg), tally);

    assertThat(tally.presentCount()).as("16.0.0/24, 16.0.2/24, 16.0.3/24 held").isEqualTo(3);
    assertThat(tally.markedCount()).as("all three carry the final-state MED").isEqualTo(3);
    assertThat(tally.updates()).isEqualTo(1);
    assertThat(tally.completedAtNanos()).isNotZero();
  }

  @Test
  void anAnnouncementWithAnotherMedUnmarksThePrefix() {
    PrefixTally tally = new PrefixTally(BASE, 24, 4, 3, 7_777_777);
    UpdateScanner.scan(Unpooled.wrappedBuffer(update()), tally);
    tally.announce(BASE, 24, 1);
    assertThat(tally.markedCount()).isEqualTo(2);
    assertThat(tally.presentCount()).isEqualTo(3);
    assertThat(tally.completedAtNanos()).as("no longer complete").isZero();
    assertThat(tally.presentCompletedAtNanos()).as("still holds three").isNotZero();
  }

  @Test
  void ignoresMessagesOtherThanUpdate() {
    PrefixTally tally = new PrefixTally(BASE, 24, 4, 1, -1);
    byte[] keepalive = HexFormat.of().parseHex("ffffffffffffffffffffffffffffffff" + "0013" + "04");
    UpdateScanner.scan(Unpooled.wrappedBuffer(keepalive), tally);
    assertThat(tally.updates()).isZero();
  }

  @Test
  void rejectsAnAttributeRunningPastTheAttributeBlock() {
    byte[] msg = update();
    msg[19 + 2 + 4 + 2 + 4 + 3 + 2] = 9; // NEXT_HOP value length 4 -> 9
    PrefixTally tally = new PrefixTally(BASE, 24, 4, 3, -1);
    assertThatThrownBy(() -> UpdateScanner.scan(Unpooled.wrappedBuffer(msg), tally))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("path attributes overrun");
  }

  @Test
  void readsBackWhatTheWorkloadEncodes() {
    int count = 2500;
    PrefixTally tally = new PrefixTally(BASE, 24, count, count, Workload.CHURN_MED);
    var stream =
        Workload.announce(
            BASE,
            24,
            count,
            Workload.ATTRIBUTE_SETS,
            ScenarioRunner.nextHop(0),
            Workload.CHURN_MED);
    int messages = 0;
    while (stream.isReadable()) {
      int len = stream.getUnsignedShort(stream.readerIndex() + 16);
      assertThat(len).isLessThanOrEqualTo(dev.netctl.bgp.codec.CodecContext.MAX_MESSAGE_SIZE);
      UpdateScanner.scan(stream.slice(stream.readerIndex(), len), tally);
      stream.skipBytes(len);
      messages++;
    }
    assertThat(tally.markedCount()).isEqualTo(count);
    assertThat(messages).as("one UPDATE per attribute set").isEqualTo(Workload.ATTRIBUTE_SETS);

    var withdraw = Workload.withdraw(BASE, 24, count);
    while (withdraw.isReadable()) {
      int len = withdraw.getUnsignedShort(withdraw.readerIndex() + 16);
      UpdateScanner.scan(withdraw.slice(withdraw.readerIndex(), len), tally);
      withdraw.skipBytes(len);
    }
    assertThat(tally.presentCount()).isZero();
    assertThat(tally.markedCount()).isZero();
  }
}
