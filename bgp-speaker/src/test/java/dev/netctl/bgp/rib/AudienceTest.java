package dev.netctl.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AudienceTest {
  private final Peer a = Fixtures.client("10.0.0.1");
  private final Peer b = Fixtures.client("10.0.0.2");

  @Test
  void allExceptIsAValueOfItsExcludedPeer() {
    Audience one = new Audience.AllExcept(a);
    Audience same = new Audience.AllExcept(Fixtures.client("10.0.0.1"));
    assertThat(one).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(one).isNotEqualTo(new Audience.AllExcept(b)).isNotEqualTo(new Audience.Only(a));
    assertThat(one.includes(a)).isFalse();
    assertThat(one.includes(b)).isTrue();
  }
}
