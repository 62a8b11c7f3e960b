package dev.netctl.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.BgpMessage.Update;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 4271 §6.3: a route whose next hop is the receiving speaker's own address is ignored. */
class OwnNextHopTest {
  private static final InetAddress SELF = InetAddress.ofLiteral("127.0.9.1");
  private static final InetAddress SENDER = InetAddress.ofLiteral("127.0.9.2");

  private static List<PathAttribute> v4(String nextHop) {
    return List.of(
        new PathAttribute.Origin(PathAttribute.OriginType.IGP),
        PathAttribute.AsPath.sequence(65002),
        new PathAttribute.NextHop((Inet4Address) InetAddress.ofLiteral(nextHop)));
  }

  private static PathAttribute.MpReach v6(String nextHop, String prefix) {
    return new PathAttribute.MpReach(
        AddressFamily.IPV6_UNICAST,
        List.of(InetAddress.ofLiteral(nextHop)),
        List.of(Nlri.of(prefix)));
  }

  private static List<PathAttribute> withMpReach(PathAttribute.MpReach reach) {
    return List.of(
        new PathAttribute.Origin(PathAttribute.OriginType.IGP),
        PathAttribute.AsPath.sequence(65002),
        reach);
  }

  @Test
  void anIpv4RouteWithOurAddressAsNextHopIsWithdrawnAndTheErrorSaysWhy() {
    Update u =
        new Update(
            List.of(Nlri.of("10.3.0.0/16")), v4("127.0.9.1"), List.of(Nlri.of("10.1.0.0/16")));
    DecodeResult.TreatAsWithdraw w = OwnNextHop.check(u, SELF, SENDER).orElseThrow();
    assertThat(w.withdrawal().withdrawn())
        .containsExactly(Nlri.of("10.3.0.0/16"), Nlri.of("10.1.0.0/16"));
    assertThat(w.withdrawal().nlri()).isEmpty();
    assertThat(w.error().subcode()).isEqualTo(NotificationSubcode.INVALID_NEXT_HOP_ATTRIBUTE);
    assertThat(w.error().toString())
        .isEqualTo(
            "INVALID_NEXT_HOP_ATTRIBUTE(3/8): NEXT_HOP 127.0.9.1 is this speaker's own address"
                + " (RFC 4271 §6.3: the routes are ignored)");
  }

  @Test
  void anIpv6RouteWithOurAddressAsNextHopIsWithdrawn() {
    InetAddress self6 = InetAddress.ofLiteral("2001:db8::1");
    List<PathAttribute> attrs = withMpReach(v6("2001:db8:0::1", "2001:db8:1::/48"));
    DecodeResult.TreatAsWithdraw w =
        OwnNextHop.check(
                new Update(List.of(), attrs, List.of()),
                self6,
                InetAddress.ofLiteral("2001:db8::2"))
            .orElseThrow();
    assertThat(w.withdrawal().attributes())
        .containsExactly(
            new PathAttribute.MpUnreach(
                AddressFamily.IPV6_UNICAST, List.of(Nlri.of("2001:db8:1::/48"))));
    assertThat(w.error().reason())
        .startsWith("MP_REACH_NLRI next hop 2001:db8::1 is this speaker's");
  }

  @Test
  void otherNextHopsAndANextHopWithoutIpv4RoutesAreLeftAlone() {
    assertThat(
            OwnNextHop.check(
                new Update(List.of(), v4("192.0.2.2"), List.of(Nlri.of("10.1.0.0/16"))),
                SELF,
                SENDER))
        .isEmpty();
    // NEXT_HOP only matters for IPv4 NLRI in the body (RFC 4760 §3); this UPDATE has none.
    List<PathAttribute> attrs = new java.util.ArrayList<>(v4("127.0.9.1"));
    attrs.add(v6("2001:db8::2", "2001:db8:1::/48"));
    assertThat(OwnNextHop.check(new Update(List.of(), attrs, List.of()), SELF, SENDER)).isEmpty();
    assertThat(
            OwnNextHop.check(
                new Update(List.of(Nlri.of("10.1.0.0/16")), List.of(), List.of()), SELF, SENDER))
        .as("a withdrawal has no next hop")
        .isEmpty();
  }

  @Test
  void aNextHopThatIsAlsoTheSendersAddressIsTheSenders() {
    // Two speakers on ::1 with different ports: the peer's own address is also ours.
    InetAddress loop = InetAddress.ofLiteral("::1");
    List<PathAttribute> attrs = withMpReach(v6("::1", "2001:db8:1::/48"));
    assertThat(OwnNextHop.check(new Update(List.of(), attrs, List.of()), loop, loop)).isEmpty();
  }
}
