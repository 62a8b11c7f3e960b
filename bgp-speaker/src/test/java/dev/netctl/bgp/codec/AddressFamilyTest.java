package dev.netctl.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AddressFamilyTest {
  @Test
  void equalityAndHashFollowAfiAndSafiOnly() {
    AddressFamily v4 = AddressFamily.of(1, 1);
    assertThat(v4)
        .isEqualTo(AddressFamily.IPV4_UNICAST)
        .hasSameHashCodeAs(AddressFamily.IPV4_UNICAST);
    assertThat(AddressFamily.of(2, 1)).isEqualTo(AddressFamily.IPV6_UNICAST);
    assertThat(AddressFamily.of(1, 2)).isNotEqualTo(AddressFamily.IPV4_UNICAST);
    assertThat(AddressFamily.of(2, 1)).isNotEqualTo(AddressFamily.IPV4_UNICAST);
    assertThat(AddressFamily.IPV4_UNICAST).isNotEqualTo("ipv4");
    Set<AddressFamily> set = new HashSet<>(Set.of(AddressFamily.IPV4_UNICAST));
    assertThat(set.contains(AddressFamily.of(1, 1))).isTrue();
    assertThat(set.contains(AddressFamily.of(1, 128))).isFalse();
  }
}
