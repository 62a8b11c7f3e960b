package dev.netctl.bgp.codec;

import static dev.netctl.bgp.codec.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.BgpMessage.Notification;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How a NOTIFICATION reads in logs and {@code bgp peers}: the shutdown communication of a Cease /
 * Administrative Shutdown or Reset (RFC 9003) as its text, as BIRD, FRR and GoBGP show it, not as
 * hex; data that is no valid communication stays hex.
 */
class NotificationTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // What BIRD sends for `disable n "going down for maintenance"`.
        "6 | 2 | 1a676f696e6720646f776e20666f72206d61696e74656e616e6365"
            + " | Notification[ADMINISTRATIVE_SHUTDOWN(6/2), \"going down for maintenance\"]",
        "6 | 4 | 03 6f6b21 | Notification[ADMINISTRATIVE_RESET(6/4), \"ok!\"]",
        "6 | 2 | 0a 6f6b | Notification[ADMINISTRATIVE_SHUTDOWN(6/2), data=0a6f6b]", // too short
        "6 | 2 | 02 c328 | Notification[ADMINISTRATIVE_SHUTDOWN(6/2), data=02c328]", // not UTF-8
        "6 | 2 | 02 0a41 | Notification[ADMINISTRATIVE_SHUTDOWN(6/2), \"?A\"]", // no line breaks
        "3 | 5 | 1a6f6b | Notification[ATTRIBUTE_LENGTH_ERROR(3/5), data=1a6f6b]",
        "6 | 2 | '' | Notification[ADMINISTRATIVE_SHUTDOWN(6/2)]",
      })
  void aShutdownCommunicationReadsAsItsText(int code, int subcode, String hex, String text) {
    assertThat(new Notification(code, subcode, bytes(hex == null ? "" : hex)).toString())
        .isEqualTo(text);
  }
}
