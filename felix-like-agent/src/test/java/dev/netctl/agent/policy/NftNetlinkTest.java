package dev.netctl.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Element keys laid out as nft lays them out (its sets are what the kernel compares against). */
class NftNetlinkTest {

  private static String hex(String type, String element) {
    return HexFormat.of().formatHex(NftNetlink.encode(type, element));
  }

  @Test
  void addressesAreInNetworkOrder() {
    assertThat(hex("ipv4_addr", "10.0.1.2")).isEqualTo("0a000102");
    assertThat(hex("ipv6_addr", "fd00::1")).isEqualTo("fd000000000000000000000000000001");
  }

  @Test
  void concatenationsPadEachPartToAFourByteRegister() {
    assertThat(hex("ipv4_addr . inet_proto . inet_service", "10.0.1.2 . 6 . 8080"))
        .isEqualTo("0a000102" + "06000000" + "1f900000");
    assertThat(hex("ipv6_addr . inet_proto . inet_service", "fd00::2 . 17 . 53"))
        .isEqualTo("fd000000000000000000000000000002" + "11000000" + "00350000");
  }

  @Test
  void interfaceNamesAreNulPaddedToIfnamsiz() {
    assertThat(hex("ifname", "\"cali1\"")).isEqualTo("63616c6931" + "00".repeat(11));
  }

  @Test
  void whatItCannotEncodeIsRefusedBeforeAnythingIsSent() {
    assertThatThrownBy(() -> NftNetlink.encode("ether_addr", "ee:ee:ee:ee:ee:ee"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NftNetlink.encode("ifname", "\"a-name-longer-than-15\""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NftNetlink.encode("ipv4_addr", "fd00::1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NftNetlink.encode("ipv4_addr", "example.com"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
