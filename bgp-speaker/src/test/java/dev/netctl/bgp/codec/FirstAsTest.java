package dev.netctl.bgp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.BgpMessage.Update;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 4271 §6.3 / RFC 7606 §7.2: an external peer's AS_PATH must start with the peer's AS. */
class FirstAsTest {
  private static final long PEER = 65002;

  private static Update announce(PathAttribute.AsPath path, String... prefixes) {
    return new Update(
        List.of(Nlri.of("10.9.0.0/16")),
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.IGP),
            path,
            new PathAttribute.NextHop((Inet4Address) InetAddress.ofLiteral("192.0.2.2"))),
        List.of(prefixes).stream().map(Nlri::of).toList());
  }

  private static PathAttribute.AsPath path(PathAttribute.Segment... segments) {
    return new PathAttribute.AsPath(List.of(segments));
  }

  @Test
  void aPathStartingWithThePeersAsPasses() {
    assertThat(
            FirstAs.check(
                announce(PathAttribute.AsPath.sequence(65002, 65099), "10.1.0.0/16"), PEER, true))
        .isEmpty();
  }

  @Test
  void aPathStartingWithAnotherAsWithdrawsEveryRouteOfTheUpdateAndSaysWhy() {
    DecodeResult.TreatAsWithdraw w =
        FirstAs.check(
                announce(PathAttribute.AsPath.sequence(65099, 65002), "10.1.0.0/16"), PEER, true)
            .orElseThrow();
    assertThat(w.withdrawal().withdrawn())
        .containsExactly(Nlri.of("10.9.0.0/16"), Nlri.of("10.1.0.0/16"));
    assertThat(w.withdrawal().nlri()).isEmpty();
    assertThat(w.error().subcode()).isEqualTo(NotificationSubcode.MALFORMED_AS_PATH);
    assertThat(w.error().toString())
        .isEqualTo(
            "MALFORMED_AS_PATH(3/11): AS_PATH starts with AS 65099, not the external peer's AS"
                + " 65002 (RFC 4271 §6.3, enforceFirstAs: the routes are withdrawn, RFC 7606 §7.2)");
  }

  @Test
  void anEmptyPathHasNoFirstAsAndIsWithdrawn() {
    assertThat(
            FirstAs.check(announce(path(), "10.1.0.0/16"), PEER, true)
                .orElseThrow()
                .error()
                .reason())
        .startsWith("AS_PATH is empty");
  }

  @Test
  void anIpv6AnnouncementIsCheckedToo() {
    Update u =
        new Update(
            List.of(),
            List.of(
                new PathAttribute.Origin(PathAttribute.OriginType.IGP),
                PathAttribute.AsPath.sequence(65099),
                new PathAttribute.MpReach(
                    AddressFamily.IPV6_UNICAST,
                    List.of(InetAddress.ofLiteral("2001:db8::2")),
                    List.of(Nlri.of("2001:db8:1::/48")))),
            List.of());
    DecodeResult.TreatAsWithdraw w = FirstAs.check(u, PEER, true).orElseThrow();
    assertThat(w.withdrawal().attributes())
        .containsExactly(
            new PathAttribute.MpUnreach(
                AddressFamily.IPV6_UNICAST, List.of(Nlri.of("2001:db8:1::/48"))));
  }

  @Test
  void aSetOrConfederationSegmentFirstAndAPureWithdrawalAreNotChecked() {
    assertThat(
            FirstAs.check(
                announce(path(PathAttribute.Segment.set(65099, 65100)), "10.1.0.0/16"), PEER, true))
        .as("an AS_SET has no leftmost AS")
        .isEmpty();
    assertThat(
            FirstAs.check(
                announce(
                    path(
                        new PathAttribute.Segment(
                            PathAttribute.SegmentType.AS_CONFED_SEQUENCE, List.of(65099L)),
                        PathAttribute.Segment.sequence(65099)),
                    "10.1.0.0/16"),
                PEER,
                true))
        .as("confederation segments are RFC 5065's")
        .isEmpty();
    assertThat(FirstAs.check(announce(PathAttribute.AsPath.sequence(65099)), PEER, true))
        .as("withdrawals only")
        .isEmpty();
  }

  @Test
  void asTransStandsForAPeerAsBeyondTwoOctetsOnATwoOctetSessionOnly() {
    Update viaTrans = announce(PathAttribute.AsPath.sequence(23456), "10.1.0.0/16");
    assertThat(FirstAs.check(viaTrans, 4200000002L, false)).isEmpty();
    assertThat(FirstAs.check(viaTrans, PEER, false)).as("but not for a 2-octet AS").isPresent();
    assertThat(FirstAs.check(viaTrans, 4200000002L, true))
        .as("a 4-octet session carries the real AS")
        .isPresent();
  }
}
