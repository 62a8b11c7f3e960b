package dev.netctl.bgp.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UpdatePathWarmupTest {
  @Test
  void everySyntheticPrefixIsReflectedThenWithdrawnThroughThePrivateRib() {
    // Announced and withdrawn: each prefix leaves the update group twice. Anything lost on the
    // way (decode, import, selection, group hand-off, packing) shows as a smaller count.
    assertThat(UpdatePathWarmup.run(2_500)).isEqualTo(5_000);
    assertThat(UpdatePathWarmup.run(1)).isEqualTo(2);
  }
}
