package dev.netctl.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressTextTest {
  @ParameterizedTest(name = "{0} is written {1}")
  @CsvSource({
    "0:0:0:0:0:0:0:1, ::1",
    "0:0:0:0:0:0:0:0, ::",
    "2001:DB8:0:0:0:0:2:1, 2001:db8::2:1",
    // RFC 5952 §4.2.2: a single zero group is not compressed.
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    // §4.2.3: the longest run wins; the first on a tie.
    "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "fd00:10:244:8:0:0:0:0, fd00:10:244:8::",
    "fe80:0:0:0:0:0:0:abcd, fe80::abcd",
    "192.0.2.1, 192.0.2.1",
  })
  void writesAddressesInRfc5952Form(String in, String expected) throws Exception {
    assertThat(AddressText.of(InetAddress.getByName(in))).isEqualTo(expected);
  }

  @Test
  void writesIpv4MappedAddressesInMixedNotation() throws Exception {
    // InetAddress.getByName would turn ::ffff:a.b.c.d into an Inet4Address.
    byte[] b = new byte[16];
    b[10] = (byte) 0xff;
    b[11] = (byte) 0xff;
    b[12] = 127;
    b[15] = 56;
    assertThat(AddressText.of(java.net.Inet6Address.getByAddress(null, b, -1)))
        .isEqualTo("::ffff:127.0.0.56");
  }

  @Test
  void bracketsIpv6SocketAddresses() throws Exception {
    assertThat(AddressText.of(new InetSocketAddress(InetAddress.getByName("::1"), 179)))
        .isEqualTo("[::1]:179");
    assertThat(AddressText.of(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 179)))
        .isEqualTo("127.0.0.1:179");
    assertThat(AddressText.of((InetAddress) null)).isEqualTo("none");
  }

  @Test
  void prefixesAndNlriPrintCompressed() {
    assertThat(Prefix.parse("fd00:10:244:8::/122")).hasToString("fd00:10:244:8::/122");
    assertThat(Prefix.parse("::/0")).hasToString("::/0");
    assertThat(Prefix.parse("10.0.0.0/26")).hasToString("10.0.0.0/26");
    assertThat(Nlri.of("2001:db8::/32")).hasToString("2001:db8::/32");
  }
}
