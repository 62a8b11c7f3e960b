package dev.netctl.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.bgp.codec.Prefix;
import org.junit.jupiter.api.Test;

/** What a received route keeps on its way into the Loc-RIB, and so to the peers it is sent to. */
class ImportRulesTest {
  private static final PathAttribute.Unknown TRANSITIVE =
      new PathAttribute.Unknown(0xc0, 99, new byte[] {1, 2});
  private static final PathAttribute.Unknown NON_TRANSITIVE =
      new PathAttribute.Unknown(0x80, 98, new byte[] {3});

  private static AttributeSet withUnknowns(String nextHop, long... path) {
    AttributeSet base = Fixtures.attrs(nextHop).path(path).build();
    return base.with(TRANSITIVE).with(NON_TRANSITIVE);
  }

  @Test
  void unrecognizedAttributesArePassedOnOnlyWhenTransitiveAndThenMarkedPartial() {
    // RFC 4271 §5: an unrecognized non-transitive optional attribute is quietly ignored and not
    // passed along; a transitive one is passed along with the Partial bit set.
    for (Peer from : new Peer[] {Fixtures.ebgp("192.0.2.2", 65002), Fixtures.ibgp("10.0.0.2")}) {
      AttributeSet stored =
          ImportRules.apply(
                  Fixtures.config(),
                  from,
                  RoutePolicy.ACCEPT_ALL,
                  Prefix.parse("10.1.0.0/16"),
                  withUnknowns("192.0.2.2", 65002))
              .orElseThrow();
      assertThat(stored.attributes())
          .as("from %s", from)
          .filteredOn(a -> a instanceof PathAttribute.Unknown)
          .containsExactly(new PathAttribute.Unknown(0xe0, 99, new byte[] {1, 2}));
    }
  }

  @Test
  void aRouteWithoutUnrecognizedAttributesKeepsItsInternedSet() {
    AttributeSet plain = Fixtures.attrs("192.0.2.2").path(65002).build();
    assertThat(
            ImportRules.apply(
                    Fixtures.config(),
                    Fixtures.ibgp("10.0.0.2"),
                    RoutePolicy.ACCEPT_ALL,
                    Prefix.parse("10.1.0.0/16"),
                    plain)
                .orElseThrow())
        .isSameAs(plain);
  }

  @Test
  void ourAsInTheAsPathIsALoopUnlessThePeerMaySendItThatOften() {
    Prefix prefix = Prefix.parse("10.1.0.0/16");
    long us = Fixtures.LOCAL_AS;
    AttributeSet once = Fixtures.attrs("192.0.2.2").path(65002, us, 65003).build();
    AttributeSet twice = Fixtures.attrs("192.0.2.2").path(65002, us, us, 65003).build();
    Peer strict = Fixtures.ebgp("192.0.2.2", 65002);
    Peer allowOnce = new Peer(strict.address(), strict.routerId(), 65002, PeerKind.EBGP, false, 1);
    RibConfig config = Fixtures.config();

    assertThat(ImportRules.apply(config, strict, RoutePolicy.ACCEPT_ALL, prefix, once)).isEmpty();
    assertThat(ImportRules.apply(config, allowOnce, RoutePolicy.ACCEPT_ALL, prefix, once))
        .isPresent();
    assertThat(ImportRules.apply(config, allowOnce, RoutePolicy.ACCEPT_ALL, prefix, twice))
        .isEmpty();
    assertThat(twice.asPathCount(us)).isEqualTo(2);
  }

  @Test
  void ourAsInAnInternalPeersAsPathIsALoopTooUnlessThePeerMaySendItThatOften() {
    Prefix prefix = Prefix.parse("10.1.0.0/16");
    long us = Fixtures.LOCAL_AS;
    AttributeSet once = Fixtures.attrs("10.0.0.2").path(65002, us, 65003).build();
    AttributeSet twice = Fixtures.attrs("10.0.0.2").path(65002, us, us).build();
    AttributeSet clean = Fixtures.attrs("10.0.0.2").path(65002, 65003).build();
    Peer strict = Fixtures.ibgp("10.0.0.2");
    Peer client = Fixtures.client("10.0.0.3");
    Peer allowOnce =
        new Peer(strict.address(), strict.routerId(), strict.asn(), PeerKind.IBGP, false, 1);
    RibConfig config = Fixtures.config();

    assertThat(ImportRules.apply(config, strict, RoutePolicy.ACCEPT_ALL, prefix, once))
        .as("iBGP peers do not prepend, so our AS in the path came back from outside")
        .isEmpty();
    assertThat(ImportRules.apply(config, client, RoutePolicy.ACCEPT_ALL, prefix, once))
        .as("a reflector client's route too")
        .isEmpty();
    assertThat(ImportRules.apply(config, strict, RoutePolicy.ACCEPT_ALL, prefix, clean))
        .isPresent();
    assertThat(ImportRules.apply(config, allowOnce, RoutePolicy.ACCEPT_ALL, prefix, once))
        .isPresent();
    assertThat(ImportRules.apply(config, allowOnce, RoutePolicy.ACCEPT_ALL, prefix, twice))
        .isEmpty();
    assertThat(ImportRules.loops(config, Peer.LOCAL, once))
        .as("our own routes are never loops")
        .isFalse();
  }
}
