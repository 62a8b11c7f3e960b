package dev.netctl.bgp.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpMessage.Update;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** RFC 4760 §8: what of a received UPDATE a session that did not negotiate a family keeps. */
class NegotiatedFamiliesTest {
  private static final List<PathAttribute> BASE =
      List.of(
          new PathAttribute.Origin(PathAttribute.OriginType.IGP),
          PathAttribute.AsPath.sequence(65002),
          new PathAttribute.NextHop((java.net.Inet4Address) InetAddress.ofLiteral("192.0.2.1")));
  private static final PathAttribute.MpReach V6_REACH =
      new PathAttribute.MpReach(
          AddressFamily.IPV6_UNICAST,
          List.of(InetAddress.ofLiteral("2001:db8::1")),
          List.of(Nlri.of("2001:db8:1::/48")));
  private static final PathAttribute.MpUnreach V6_UNREACH =
      new PathAttribute.MpUnreach(AddressFamily.IPV6_UNICAST, List.of(Nlri.of("2001:db8:2::/48")));

  private final List<AddressFamily> reported = new ArrayList<>();

  private static List<PathAttribute> with(PathAttribute... more) {
    List<PathAttribute> all = new ArrayList<>(BASE);
    all.addAll(List.of(more));
    return all;
  }

  @Test
  void anUpdateOfNegotiatedFamiliesIsPassedOnAsItIs() {
    NegotiatedFamilies f =
        new NegotiatedFamilies(Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST));
    Update u = new Update(List.of(), with(V6_REACH), List.of(Nlri.of("10.0.0.0/8")));
    assertThat(f.admit(u, null, (who, family) -> reported.add(family))).isSameAs(u);
    assertThat(reported).isEmpty();
  }

  @Test
  void theRoutesOfAFamilyNotNegotiatedGoTheRestStays() {
    NegotiatedFamilies f = new NegotiatedFamilies(Set.of(AddressFamily.IPV4_UNICAST));
    Update u =
        new Update(
            List.of(Nlri.of("10.9.0.0/16")),
            with(V6_REACH, V6_UNREACH),
            List.of(Nlri.of("10.0.0.0/8")));
    Update kept = f.admit(u, null, (who, family) -> reported.add(family));
    assertThat(kept.nlri()).containsExactly(Nlri.of("10.0.0.0/8"));
    assertThat(kept.withdrawn()).containsExactly(Nlri.of("10.9.0.0/16"));
    assertThat(kept.attributes()).as("every other attribute").isEqualTo(BASE);
    assertThat(reported).containsExactly(AddressFamily.IPV6_UNICAST);
  }

  @Test
  void eachFamilyIsReportedOncePerSessionNotOncePerUpdate() {
    NegotiatedFamilies f = new NegotiatedFamilies(Set.of(AddressFamily.IPV4_UNICAST));
    for (int i = 0; i < 5; i++) {
      assertThat(
              f.admit(
                  new Update(List.of(), with(V6_REACH), List.of()),
                  null,
                  (who, family) -> reported.add(family)))
          .as("nothing left to process")
          .isNull();
      assertThat(
              f.admit(
                  new Update(List.of(), List.of(V6_UNREACH), List.of()),
                  null,
                  (who, family) -> reported.add(family)))
          .isNull();
    }
    assertThat(reported).containsExactly(AddressFamily.IPV6_UNICAST);
    assertThat(
            new NegotiatedFamilies(Set.of())
                .admit(
                    new Update(List.of(), with(V6_REACH), List.of()),
                    null,
                    (who, family) -> reported.add(family)))
        .isNull();
    assertThat(reported).as("a new session reports again").hasSize(2);
  }

  @Test
  void anEndOfRibOfAFamilyNotNegotiatedIsDroppedWithoutBecomingAnIpv4One() {
    NegotiatedFamilies f = new NegotiatedFamilies(Set.of(AddressFamily.IPV4_UNICAST));
    assertThat(
            f.admit(
                Update.endOfRib(AddressFamily.IPV6_UNICAST),
                null,
                (who, family) -> reported.add(family)))
        .isNull();
    NegotiatedFamilies v6 = new NegotiatedFamilies(Set.of(AddressFamily.IPV6_UNICAST));
    assertThat(
            v6.admit(
                Update.endOfRib(AddressFamily.IPV4_UNICAST),
                null,
                (who, family) -> reported.add(family)))
        .isNull();
    Update v6EndOfRib = Update.endOfRib(AddressFamily.IPV6_UNICAST);
    assertThat(v6.admit(v6EndOfRib, null, (who, family) -> reported.add(family)))
        .isSameAs(v6EndOfRib);
    assertThat(reported).as("markers carry no routes").isEmpty();
  }

  @Test
  void withoutIpv4UnicastTheBodysRoutesGoAndTheMultiprotocolOnesStay() {
    NegotiatedFamilies f = new NegotiatedFamilies(Set.of(AddressFamily.IPV6_UNICAST));
    Update u =
        new Update(List.of(Nlri.of("10.9.0.0/16")), with(V6_REACH), List.of(Nlri.of("10.0.0.0/8")));
    Update kept = f.admit(u, null, (who, family) -> reported.add(family));
    assertThat(kept.nlri()).isEmpty();
    assertThat(kept.withdrawn()).isEmpty();
    assertThat(kept.attributes()).contains(V6_REACH);
    assertThat(reported).containsExactly(AddressFamily.IPV4_UNICAST);
    assertThat(
            f.admit(
                new Update(List.of(), BASE, List.of(Nlri.of("10.1.0.0/16"))),
                null,
                (who, family) -> reported.add(family)))
        .as("only IPv4 routes: nothing left")
        .isNull();
  }
}
