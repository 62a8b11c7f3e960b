package dev.netctl.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.0",
        "10.0.0.0/33",
        "10.0.0/8",
        "010.0.0.0/8",
        "10.0.0.256/8",
        "1.2.3.4/-1",
        "1.2.3.4/ 8",
        "fd00::/129",
        "fd00::1%eth0/64",
        "[fd00::]/64",
        "::ffff:10.0.0.1/128",
        "example.com/24",
        "fd00:::1/64",
        ""
      })
  void rejectsMalformedCidrs(String text) {
    assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parsesAndMasks() {
    Cidr c = Cidr.parse("10.1.2.3/16");
    assertThat(c.isIPv4()).isTrue();
    assertThat(c.isMasked()).isFalse();
    assertThat(c.masked()).hasToString("10.1.0.0/16");
    assertThat(Cidr.parse("10.1.0.0/16").isMasked()).isTrue();
    assertThat(Cidr.parse("fd00:0:0:0::1/64").masked()).hasToString("fd00::/64");
    assertThat(Cidr.parse("10.1.2.3/0").masked()).hasToString("0.0.0.0/0");
    assertThat(Cidr.parse("10.1.2.3/32").isMasked()).isTrue();
    assertThat(Cidr.parseAddressOrCidr("fd00::1")).hasToString("fd00::1/128");
  }

  @Test
  void formatsIpv6InItsShortestForm() {
    assertThat(Cidr.format(Cidr.parseAddress("fd00:0:0:0:0:0:0:1"))).isEqualTo("fd00::1");
    assertThat(Cidr.format(Cidr.parseAddress("::"))).isEqualTo("::");
    assertThat(Cidr.format(Cidr.parseAddress("1:0:0:2:0:0:0:3"))).isEqualTo("1:0:0:2::3");
    assertThat(Cidr.format(Cidr.parseAddress("1:0:2:3:4:5:6:7"))).isEqualTo("1:0:2:3:4:5:6:7");
    assertThat(Cidr.format(Cidr.parseAddress("1:0:0:2:0:0:3:4"))).isEqualTo("1::2:0:0:3:4");
  }

  @Test
  void overlapAndContainsMatchAddressRangesOnRandomPrefixes() {
    long seed = 20261123L;
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < 2000; i++) {
      // Small space (10.0.0.0/24) so that overlaps are frequent.
      int a = rnd.nextInt(256);
      int b = rnd.nextInt(256);
      int la = 24 + rnd.nextInt(9);
      int lb = 24 + rnd.nextInt(9);
      Cidr ca = Cidr.parse("10.0.0." + a + "/" + la).masked();
      Cidr cb = Cidr.parse("10.0.0." + b + "/" + lb).masked();
      // Reference: each prefix as an inclusive range of last octets.
      int sizeA = 1 << (32 - la);
      int sizeB = 1 << (32 - lb);
      int startA = a / sizeA * sizeA;
      int startB = b / sizeB * sizeB;
      boolean intersect = startA <= startB + sizeB - 1 && startB <= startA + sizeA - 1;
      assertThat(ca.overlaps(cb)).as("seed %d: %s vs %s", seed, ca, cb).isEqualTo(intersect);
      int probe = rnd.nextInt(256);
      assertThat(ca.contains(Cidr.parseAddress("10.0.0." + probe)))
          .as("seed %d: %s contains 10.0.0.%d", seed, ca, probe)
          .isEqualTo(probe >= startA && probe < startA + sizeA);
    }
  }

  @Test
  void familiesNeverOverlap() {
    assertThat(Cidr.parse("0.0.0.0/0").overlaps(Cidr.parse("::/0"))).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(Cidr.parseAddress("fd00::1"))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"::ffff:10.0.0.1", "::FFFF:10.0.0.0/120", "[::ffff:192.0.2.5]:179"})
  void ipv4MappedTextIsRecognisedInEveryForm(String text) {
    assertThat(Cidr.ipv4Mapped(text)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"10.0.0.1", "[10.0.0.1]:179", "10.0.0.0/8", "fd00::1", "::1.2.3.4x", "a.b:c"})
  void otherTextIsNotIpv4Mapped(String text) {
    assertThat(Cidr.ipv4Mapped(text)).isFalse();
  }
}
