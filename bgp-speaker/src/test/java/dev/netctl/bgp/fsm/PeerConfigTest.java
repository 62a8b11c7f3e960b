package dev.netctl.bgp.fsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.CapabilityCode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PeerConfigTest {
  private static final PeerConfig BASE =
      PeerConfig.of(64512, (Inet4Address) InetAddress.ofLiteral("192.0.2.1"), 64513);

  @Test
  void eachCopyChangesItsOwnFieldsAndKeepsEveryOther() {
    PeerConfig all =
        BASE.withHoldTime(30)
            .withConnectRetry(Duration.ofSeconds(2))
            .withMaxPrefixes(100)
            .withFamilies(Set.of(AddressFamily.IPV4_UNICAST))
            .withRequiredCapabilities(Set.of(CapabilityCode.FOUR_OCTET_AS))
            .withOptions(Set.of(AddressFamily.IPV4_UNICAST), Set.of(), 120, true)
            .withAcceptedAs(new RemoteAs.External())
            .withEnforceFirstAs(true)
            .withKeepaliveTime(10)
            .withAllowLocalAs(2);
    assertThat(all)
        .isEqualTo(
            new PeerConfig(
                64512,
                BASE.localId(),
                64513,
                30,
                Duration.ofSeconds(2),
                Set.of(AddressFamily.IPV4_UNICAST),
                Set.of(AddressFamily.IPV4_UNICAST),
                Set.of(),
                120,
                true,
                Set.of(CapabilityCode.FOUR_OCTET_AS),
                100,
                new RemoteAs.External(),
                true,
                10,
                2));
    assertThat(all.withHoldTime(90)).isEqualTo(all.withHoldTime(90)).isNotEqualTo(all);
    assertThat(all.withHoldTime(90).withHoldTime(30)).isEqualTo(all);
  }

  @Test
  void aCopyIsValidatedLikeANewConfig() {
    assertThatThrownBy(() -> BASE.withHoldTime(2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holdTime 2 must be 0 or 3..65535");
    assertThatThrownBy(() -> BASE.withKeepaliveTime(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keepaliveTime -1 must be 0");
    assertThatThrownBy(() -> BASE.withAllowLocalAs(256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("allowLocalAs 256 must be 0..255");
  }

  @Test
  void keepaliveIsAThirdOfTheHoldTimeUnlessSetAndNeverMore() {
    assertThat(BASE.keepaliveSeconds(90)).isEqualTo(30);
    assertThat(BASE.keepaliveSeconds(0)).isZero();
    assertThat(BASE.withKeepaliveTime(10).keepaliveSeconds(90)).isEqualTo(10);
    assertThat(BASE.withKeepaliveTime(60).keepaliveSeconds(90)).isEqualTo(30);
    assertThat(BASE.withKeepaliveTime(10).keepaliveSeconds(0)).isZero();
  }
}
