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
}
