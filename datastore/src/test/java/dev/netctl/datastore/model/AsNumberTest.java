package dev.netctl.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AsNumberTest {

  @Test
  void parsesPlainAndAsdot() {
    assertThat(AsNumber.parse("64512")).isEqualTo(64512);
    assertThat(AsNumber.parse("1.10")).isEqualTo(65546);
    assertThat(AsNumber.parse("0.65535")).isEqualTo(65535);
    assertThat(AsNumber.parse("65535.65535")).isEqualTo(AsNumber.MAX);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "AS1", "1.65536", "65536.0", "1.", ".1", "1.2.3", "1.+2", "+1", "-1", "x"})
  void rejectsMalformed(String text) {
    assertThatThrownBy(() -> AsNumber.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void asdotRendersAndParsesBack() {
    long seed = 5396;
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < 1000; i++) {
      long asn = rnd.nextLong(1, AsNumber.MAX + 1);
      assertThat(AsNumber.parse(AsNumber.toAsdot(asn)))
          .as("seed %d asn %d", seed, asn)
          .isEqualTo(asn);
    }
    assertThat(AsNumber.toAsdot(65000)).isEqualTo("65000");
    assertThat(AsNumber.toAsdot(65546)).isEqualTo("1.10");
  }
}
