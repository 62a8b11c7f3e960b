package dev.netctl.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {
  @Test
  void readsGoDurationsWithSeveralUnitsAndFractions() {
    assertThat(GoDuration.parse("0")).isEqualTo(Duration.ZERO);
    assertThat(GoDuration.parse("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(GoDuration.parse("2m30s")).isEqualTo(Duration.ofSeconds(150));
    assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
    assertThat(GoDuration.parse("1h2m3s4ms5us6ns"))
        .isEqualTo(Duration.ofHours(1).plusMinutes(2).plusSeconds(3).plusNanos(4_005_006));
    assertThat(GoDuration.parse("250µs")).isEqualTo(Duration.ofNanos(250_000));
    assertThat(GoDuration.parse(".5s")).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void refusesWhatGoRefusesAndNegativeDurations() {
    for (String bad : new String[] {"", "90", "s", "1.2.3s", "5d", "-5s", "1s ", "m5"}) {
      assertThatThrownBy(() -> GoDuration.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void truncatesFractionsOfANanosecondAsGoDoes() {
    // Go's time.ParseDuration("1.5ns") is 1ns: the fraction below a nanosecond is dropped.
    assertThat(GoDuration.parse("1.5ns")).isEqualTo(Duration.ofNanos(1));
    assertThat(GoDuration.parse("0.0000000019s")).isEqualTo(Duration.ofNanos(1));
  }

  @Test
  void refusesADurationBeyondGosRangeAsABadValue() {
    // Go's durations are int64 nanoseconds (about 292 years); larger ones are invalid, and must
    // surface as the IllegalArgumentException validation turns into a named error.
    for (String big : new String[] {"2562048h", "9999999999999999999s", "106752d"}) {
      assertThatThrownBy(() -> GoDuration.parse(big))
          .as(big)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
