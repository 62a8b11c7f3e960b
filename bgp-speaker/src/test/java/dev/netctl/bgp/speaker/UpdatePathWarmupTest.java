package dev.netctl.bgp.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UpdatePathWarmupTest {
  @Test
  void everySyntheticPrefixIsReflectedChangedAndWithdrawnThroughTheSessionAndThePrivateRib() {
    // Announced, announced again with another MED, withdrawn: each prefix leaves the update group
    // three times. Anything lost on the way (framing, decode, the session's FSM, import,
    // selection, group hand-off, packing) shows as a smaller count.
    assertThat(UpdatePathWarmup.run(2_500)).isEqualTo(7_500);
    assertThat(UpdatePathWarmup.run(1)).isEqualTo(3);
  }
}
