package dev.netctl.ipam.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class ReservationsTest {

  private static Reservations of(String... cidrs) {
    return Reservations.of(
        java.util.Arrays.stream(cidrs)
            .map(c -> c.contains("/") ? Cidr.parse(c) : Cidr.of(Cidr.parseAddress(c)))
            .toList());
  }

  private static BitSet bits(int... ordinals) {
    BitSet b = new BitSet();
    for (int o : ordinals) b.set(o);
    return b;
  }

  @Test
  void nothingIsReservedByNone() {
    assertThat(Reservations.NONE.isEmpty()).isTrue();
    assertThat(Reservations.NONE.contains(Cidr.parseAddress("10.0.0.1"))).isFalse();
    assertThat(Reservations.NONE.ordinalsIn(Cidr.parse("10.0.0.0/26")).isEmpty()).isTrue();
    assertThat(Reservations.of(List.of())).isSameAs(Reservations.NONE);
  }

  @Test
  void singleAddressesAndRangesOfBothFamiliesAreKeptApart() {
    Reservations r = of("192.168.2.3", "10.0.2.3/32", "cafe:f00d::/123");

    assertThat(r.contains(Cidr.parseAddress("192.168.2.3"))).isTrue();
    assertThat(r.contains(Cidr.parseAddress("192.168.2.4"))).isFalse();
    assertThat(r.contains(Cidr.parseAddress("cafe:f00d::1f"))).isTrue();
    assertThat(r.contains(Cidr.parseAddress("cafe:f00d::20"))).isFalse();
    // 10.0.2.3 as a number is no IPv6 address's number in the set, and the reverse.
    assertThat(r.contains(Cidr.parseAddress("::a00:203"))).isFalse();
    assertThat(r.countIn(Cidr.parse("0.0.0.0/0"))).isEqualTo(BigInteger.TWO);
    assertThat(r.countIn(Cidr.parse("::/0"))).isEqualTo(BigInteger.valueOf(32));
  }

  @Test
  void overlappingAndNestedReservationsCountOnce() {
    Reservations r = of("10.0.0.0/24", "10.0.0.5", "10.0.0.128/25", "10.0.0.200/29");

    assertThat(r.countIn(Cidr.parse("10.0.0.0/16"))).isEqualTo(BigInteger.valueOf(256));
    assertThat(r.coversWhole(Cidr.parse("10.0.0.0/24"))).isTrue();
    assertThat(r.coversWhole(Cidr.parse("10.0.0.0/23"))).isFalse();
  }

  @Test
  void reservationsThatTileABlockTogetherCoverItWhole() {
    // Calico asks the same: no single reservation covers 10.0.0.0/26, the two halves do.
    Reservations r = of("10.0.0.0/27", "10.0.0.32/27");

    assertThat(r.coversWhole(Cidr.parse("10.0.0.0/26"))).isTrue();
    assertThat(r.reservedRunEnd(Cidr.parse("10.0.0.0/26")))
        .isEqualTo(Cidr.parse("10.0.0.63/32").network());
    assertThat(of("10.0.0.0/27", "10.0.0.33/32").coversWhole(Cidr.parse("10.0.0.0/26"))).isFalse();
  }

  @Test
  void ordinalsInABlockAreTheReservedOffsetsOnly() {
    Reservations r = of("10.0.0.2/31", "10.0.0.60/30", "10.0.0.64/26", "10.0.1.0/24");

    assertThat(r.ordinalsIn(Cidr.parse("10.0.0.0/26"))).isEqualTo(bits(2, 3, 60, 61, 62, 63));
    BitSet whole = new BitSet();
    whole.set(0, 64);
    assertThat(r.ordinalsIn(Cidr.parse("10.0.0.64/26"))).isEqualTo(whole);
    assertThat(r.ordinalsIn(Cidr.parse("10.0.0.128/26")).isEmpty()).isTrue();
    // A reservation larger than the block clips to it.
    assertThat(r.ordinalsIn(Cidr.parse("10.0.1.64/30"))).isEqualTo(bits(0, 1, 2, 3));
  }

  @Test
  void theRunEndTellsAWalkHowFarToJump() {
    Reservations r = of("fd00::/65");
    Cidr first = Cidr.parse("fd00::/122");

    assertThat(r.reservedRunEnd(first))
        .isEqualTo(Cidr.parse("fd00::7fff:ffff:ffff:ffff/128").network());
    assertThat(r.reservedRunEnd(Cidr.parse("fd00:0:0:0:8000::/122"))).isNull();
  }

  /** Every question answered from the merged ranges agrees with asking each CIDR one by one. */
  @RepeatedTest(20)
  void mergedAnswersMatchANaiveScanOverEveryReservation() {
    long seed = new SplittableRandom().nextLong();
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Cidr> cidrs = new java.util.ArrayList<>();
    for (int i = 0; i < 1 + rnd.nextInt(8); i++) {
      int len = 24 + rnd.nextInt(9);
      Cidr host = Cidr.of(Cidr.parseAddress("10.0.0." + rnd.nextInt(256)));
      cidrs.add(new Cidr(host.network().shiftRight(32 - len).shiftLeft(32 - len), len, false));
    }
    Reservations r = Reservations.of(cidrs);
    for (String block : new String[] {"10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/25"}) {
      Cidr b = Cidr.parse(block);
      BitSet naive = new BitSet();
      for (int o = 0; o < b.size().intValue(); o++) {
        java.net.InetAddress a = b.addressAt(o);
        if (cidrs.stream().anyMatch(c -> c.contains(a))) naive.set(o);
      }
      assertThat(r.ordinalsIn(b)).as("seed %d, block %s, %s", seed, block, cidrs).isEqualTo(naive);
      assertThat(r.countIn(b).intValue()).as("seed %d", seed).isEqualTo(naive.cardinality());
      assertThat(r.coversWhole(b))
          .as("seed %d", seed)
          .isEqualTo(naive.cardinality() == b.size().intValue());
    }
  }
}
