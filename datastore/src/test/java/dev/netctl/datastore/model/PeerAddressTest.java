package dev.netctl.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PeerAddressTest {

  @ParameterizedTest
  @CsvSource({
    "10.0.0.1, 10.0.0.1, 0",
    "10.0.0.1:1790, 10.0.0.1:1790, 1790",
    "fd00::1, fd00::1, 0",
    "[fd00::1], fd00::1, 0",
    "[fd00:0::1]:179, [fd00::1]:179, 179",
    "10.0.0.1:65535, 10.0.0.1:65535, 65535"
  })
  void acceptsAddressesWithOptionalPort(String text, String canonical, int port) {
    PeerAddress p = PeerAddress.parse(text);
    assertThat(p).hasToString(canonical);
    assertThat(p.port()).isEqualTo(port);
    assertThat(p.hasPort()).isEqualTo(port != 0);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.1:0",
        "10.0.0.1:65536",
        "10.0.0.1:",
        "10.0.0.1:http",
        "[10.0.0.1]:179",
        "[fd00::1]179",
        "[fd00::1",
        "fd00::1:179:",
        "host:179",
        ""
      })
  void rejectsEverythingElse(String text) {
    assertThatThrownBy(() -> PeerAddress.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }
}
