package dev.netctl.bgp.fsm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.BgpMessage.Open;
import dev.netctl.bgp.codec.CodecContext;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NegotiatedTest {
  private static Negotiated presenting(long as) throws Exception {
    Open open = new Open(4, as, 90, (Inet4Address) InetAddress.getByName("10.0.0.1"), List.of());
    return new Negotiated(
        open,
        90,
        Set.of(AddressFamily.IPV4_UNICAST),
        false,
        false,
        false,
        false,
        CodecContext.INITIAL,
        CodecContext.INITIAL);
  }

  @Test
  void thePresentedAsIsThePeersAs() throws Exception {
    assertThat(presenting(65010).peerAs(64512)).isEqualTo(65010);
    assertThat(presenting(4_200_000_000L).peerAs(64512)).isEqualTo(4_200_000_000L);
  }

  @Test
  void asTransOrNothingLeavesTheConfiguredAs() throws Exception {
    assertThat(BgpMessage.AS_TRANS).isEqualTo(23456);
    assertThat(presenting(BgpMessage.AS_TRANS).peerAs(4_200_000_000L)).isEqualTo(4_200_000_000L);
    assertThat(presenting(0).peerAs(64512)).isEqualTo(64512);
  }
}
