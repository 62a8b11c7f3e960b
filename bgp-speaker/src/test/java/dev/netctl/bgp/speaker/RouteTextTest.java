package dev.netctl.bgp.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a person reads in logs and errors: RFC 5952 addresses, no leading slash. */
class RouteTextTest {
  @Test
  void receivedAndAdvertisedRoutesPrintAddressesInRfc5952Form() throws Exception {
    InetAddress peer = InetAddress.getByName("::1");
    InetAddress nh = InetAddress.getByName("fd00:0:0:0:0:0:0:56");
    ReceivedRoute r =
        new ReceivedRoute(
            peer,
            Nlri.of("fd00:10:244:8::/122"),
            nh,
            List.of(
                new PathAttribute.OriginatorId(
                    (java.net.Inet4Address) InetAddress.getByName("10.0.0.1"))),
            false);
    assertThat(r.toString())
        .contains("peer=::1", "fd00:10:244:8::/122", "nextHop=fd00::56", "OriginatorId[10.0.0.1]")
        .doesNotContain("0:0:0", "/10.0.0.1", "/fd00");
    AdvertisedRoute a = new AdvertisedRoute(peer, r.nlri(), nh, List.of());
    assertThat(a.toString()).contains("peer=::1", "nextHop=fd00::56").doesNotContain("0:0:0");
  }
}
