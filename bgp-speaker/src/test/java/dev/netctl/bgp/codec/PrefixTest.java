package dev.netctl.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PrefixTest {
  @Test
  void anIpv4AddressIsTheIntOfItsOctetsMostSignificantFirst() throws Exception {
    // ipv4Int relies on the JDK's Inet4Address.hashCode being that int; a JDK that changed it would
    // make every encoded NEXT_HOP, ORIGINATOR_ID and CLUSTER_LIST wrong.
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 1_000; i++) {
      byte[] octets = new byte[4];
      random.nextBytes(octets);
      if (i < 4) {
        octets = new byte[][] {{0, 0, 0, 0}, {-1, -1, -1, -1}, {-128, 0, 0, 1}, {10, 1, 2, 3}}[i];
      }
      Inet4Address a = (Inet4Address) InetAddress.getByAddress(octets);
      assertThat(Prefix.ipv4Int(a)).as("%s", a).isEqualTo(ByteBuffer.wrap(octets).getInt());
    }
  }

  @Test
  void parsesAndPrintsBothFamilies() {
    assertThat(Prefix.parse("10.1.2.0/24").toString()).isEqualTo("10.1.2.0/24");
    assertThat(Prefix.parse("10.1.2.0/24").ipv6()).isFalse();
    assertThat(Prefix.parse("2001:db8::/32").ipv6()).isTrue();
    assertThat(Prefix.parse("2001:db8::/32")).isEqualTo(Prefix.ipv6(0x20010db800000000L, 0, 32));
    assertThat(Prefix.parse("0.0.0.0/0")).isEqualTo(Prefix.ipv4(0, 0));
  }

  @Test
  void rejectsHostBitsAndBadLengthsNamingTheValue() {
    assertThatThrownBy(() -> Prefix.parse("10.1.2.3/24"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10.1.2.3/24")
        .hasMessageContaining("host bits");
    assertThatThrownBy(() -> Prefix.parse("10.0.0.0/33")).hasMessageContaining("10.0.0.0/33");
    assertThatThrownBy(() -> Prefix.parse("example.com/8"))
        .hasMessageContaining("not an IP literal");
  }

  @Test
  void factoriesClearHostBits() {
    assertThat(Prefix.ipv4(0x0a0102ff, 24)).isEqualTo(Prefix.parse("10.1.2.0/24"));
    assertThat(Prefix.ipv6(-1L, -1L, 65)).isEqualTo(Prefix.ipv6(-1L, 0x8000000000000000L, 65));
  }

  @Test
  void bytesRoundTripForRandomPrefixes() {
    long seed = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < 2000; i++) {
      boolean v6 = random.nextBoolean();
      int length = random.nextInt(v6 ? 129 : 33);
      Prefix p =
          v6
              ? Prefix.ipv6(random.nextLong(), random.nextLong(), length)
              : Prefix.ipv4(random.nextInt(), length);
      assertThat(Prefix.of(v6, p.addressBytes(), length)).as("seed %d", seed).isEqualTo(p);
      assertThat(Prefix.parse(p.toString())).as("seed %d", seed).isEqualTo(p);
    }
  }

  @Test
  void prefixesDifferByFamilyAddressAndLength() {
    assertThat(Prefix.parse("10.1.2.0/24")).hasSameHashCodeAs(Prefix.ipv4(0x0a010200, 24));
    assertThat(Prefix.parse("10.1.2.0/24"))
        .isNotEqualTo(Prefix.parse("10.1.2.0/25"))
        .isNotEqualTo(Prefix.parse("10.1.3.0/24"))
        .isNotEqualTo(Prefix.ipv6(0, 0x0a010200L, 24))
        .isNotEqualTo("10.1.2.0/24");
    assertThat(Prefix.parse("2001:db8::/32")).isNotEqualTo(Prefix.parse("2001:db9::/32"));
  }
}
