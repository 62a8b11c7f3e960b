package dev.netctl.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PeerTest {
  @Test
  void aPeerEqualsAnotherOnlyWhenEveryComponentMatches() {
    Peer p = new Peer(Fixtures.ip("10.0.0.1"), Fixtures.v4("10.0.0.1"), 65000, PeerKind.IBGP, true);
    Peer same =
        new Peer(Fixtures.ip("10.0.0.1"), Fixtures.v4("10.0.0.1"), 65000, PeerKind.IBGP, true);
    assertThat(p).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(p)
        .isNotEqualTo(
            new Peer(Fixtures.ip("10.0.0.2"), Fixtures.v4("10.0.0.1"), 65000, PeerKind.IBGP, true))
        .isNotEqualTo(
            new Peer(Fixtures.ip("10.0.0.1"), Fixtures.v4("10.0.0.9"), 65000, PeerKind.IBGP, true))
        .isNotEqualTo(
            new Peer(Fixtures.ip("10.0.0.1"), Fixtures.v4("10.0.0.1"), 65001, PeerKind.EBGP, false))
        .isNotEqualTo(
            new Peer(Fixtures.ip("10.0.0.1"), Fixtures.v4("10.0.0.1"), 65000, PeerKind.IBGP, false))
        .isNotEqualTo(
            new Peer(
                Fixtures.ip("10.0.0.1"), Fixtures.v4("10.0.0.1"), 65000, PeerKind.IBGP, true, 1))
        .isNotEqualTo("10.0.0.1");
  }

  @Test
  void routesAreValuesOfTheirComponents() {
    Peer a = Fixtures.ibgp("10.0.0.1");
    AttributeSet x = Fixtures.attrs("10.0.0.1").build();
    AttributeSet y = Fixtures.attrs("10.0.0.2").build();
    Route r = new Route(a, 0, x, 1);
    assertThat(r).isEqualTo(new Route(Fixtures.ibgp("10.0.0.1"), 0, x, 1)).hasSameHashCodeAs(r);
    assertThat(r)
        .isNotEqualTo(new Route(a, 1, x, 1))
        .isNotEqualTo(new Route(a, 0, y, 1))
        .isNotEqualTo(new Route(a, 0, x, 2))
        .isNotEqualTo(new Route(Fixtures.ibgp("10.0.0.2"), 0, x, 1));
  }
}
