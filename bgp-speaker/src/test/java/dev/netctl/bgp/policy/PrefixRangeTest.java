package dev.netctl.bgp.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.bgp.codec.Prefix;
import org.junit.jupiter.api.Test;

class PrefixRangeTest {
  @Test
  void exactRangeMatchesOnlyThePrefix() {
    PrefixRange r = PrefixRange.parse("10.0.0.0/8");
    assertThat(r.matches(Prefix.parse("10.0.0.0/8"))).isTrue();
    assertThat(r.matches(Prefix.parse("10.1.0.0/16"))).isFalse();
    assertThat(r.matches(Prefix.parse("11.0.0.0/8"))).isFalse();
  }

  @Test
  void geAndLeBoundTheLengthInsideTheCoveringPrefix() {
    PrefixRange r = PrefixRange.parse("10.0.0.0/8 ge 16 le 24");
    assertThat(r.matches(Prefix.parse("10.1.0.0/16"))).isTrue();
    assertThat(r.matches(Prefix.parse("10.1.2.0/24"))).isTrue();
    assertThat(r.matches(Prefix.parse("10.1.2.0/25"))).isFalse();
    assertThat(r.matches(Prefix.parse("10.0.0.0/8"))).isFalse();
    assertThat(r.matches(Prefix.parse("11.1.0.0/16"))).isFalse();
    assertThat(r.matches(Prefix.parse("2001:db8::/32"))).as("other family").isFalse();
    assertThat(PrefixRange.parse("10.0.0.0/8 ge 26").le()).isEqualTo(32);
    assertThat(PrefixRange.parse("10.0.0.0/8 le 26").ge()).isEqualTo(8);
  }

  @Test
  void ipv6RangesWork() {
    PrefixRange r = PrefixRange.parse("2001:db8::/32 le 64");
    assertThat(r.matches(Prefix.parse("2001:db8:1::/48"))).isTrue();
    assertThat(r.matches(Prefix.parse("2001:db9::/48"))).isFalse();
  }

  @Test
  void invalidBoundsAreRejectedWithTheRule() {
    assertThatThrownBy(() -> PrefixRange.parse("10.0.0.0/16 ge 8"))
        .hasMessageContaining("10.0.0.0/16")
        .hasMessageContaining("16 <= ge <= le <= 32");
    assertThatThrownBy(() -> PrefixRange.parse("10.0.0.0/8 ge 20 le 16"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PrefixRange.parse("10.0.0.0/8 gt 20"))
        .hasMessageContaining("expected ge or le");
  }
}
