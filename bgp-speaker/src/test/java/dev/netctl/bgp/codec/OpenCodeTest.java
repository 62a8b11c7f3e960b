package dev.netctl.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Open enums keep unknown wire codes instead of rejecting them (RFC 4271 §5, RFC 5492 §3). */
class OpenCodeTest {

  @Test
  void knownCodesAreTheNamedConstants() {
    assertThat(AttributeType.valueOf(2)).isSameAs(AttributeType.AS_PATH);
    assertThat(AttributeType.AS_PATH.isKnown()).isTrue();
    assertThat(CapabilityCode.valueOf(65).name()).isEqualTo("FOUR_OCTET_AS");
  }

  @Test
  void unknownCodesAreCarriedAndEqualByCode() {
    AttributeType unknown = AttributeType.valueOf(250);
    assertThat(unknown.code()).isEqualTo(250);
    assertThat(unknown.name()).isEqualTo("UNKNOWN");
    assertThat(unknown.isKnown()).isFalse();
    assertThat(unknown).isEqualTo(AttributeType.valueOf(250)).hasSameHashCodeAs(250);
    assertThat(unknown.toString()).isEqualTo("UNKNOWN(250)");
  }

  @Test
  void theSameCodeOfDifferentTypesIsNotEqual() {
    assertThat((Object) Afi.IPV4).isNotEqualTo(Safi.UNICAST);
    assertThat(Afi.IPV4.code()).isEqualTo(Safi.UNICAST.code());
  }
}
