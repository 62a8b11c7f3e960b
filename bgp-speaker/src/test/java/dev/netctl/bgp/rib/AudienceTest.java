package dev.netctl.bgp.rib;

import static dev.netctl.bgp.codec.EqualityCheck.check;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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

  @Test
  void onlyIsAValueOfItsPeer() {
    check(() -> new Audience.Only(Fixtures.client("10.0.0.1")), List.of(new Audience.Only(b)));
    assertThat(new Audience.Only(a).equals(new Audience.AllExcept(a))).isFalse();
  }

  @Test
  void allIsOneValue() {
    check(Audience.All::new, List.of());
    assertThat(Audience.All.INSTANCE.equals(new Audience.AllExcept(a))).isFalse();
  }
}
