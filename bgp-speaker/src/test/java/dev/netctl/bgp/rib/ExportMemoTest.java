package dev.netctl.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.codec.CodecContext;
import org.junit.jupiter.api.Test;

class ExportMemoTest {
  private final RibConfig config = Fixtures.config();
  private final ExportMemo memo = new ExportMemo(config);
  private final OutboundProfile clients =
      ShardHarness.profile(PeerKind.IBGP, true, CodecContext.FOUR_OCTET);
  private final OutboundProfile nonClients =
      ShardHarness.profile(PeerKind.IBGP, false, CodecContext.FOUR_OCTET);

  @Test
  void answersWhatTheRulesComputeForEachSourceAndGroup() {
    AttributeSet attrs = Fixtures.attrs("10.0.0.9").localPref(100).build();
    Route fromClient = new Route(Fixtures.client("10.0.0.1"), 0, attrs, 1);
    Route fromOtherClient = new Route(Fixtures.client("10.0.0.2"), 0, attrs, 1);
    Route fromNonClient = new Route(Fixtures.ibgp("10.0.0.3"), 0, attrs, 1);
    for (int round = 0; round < 2; round++) { // the second round is answered from the memo
      for (Route r : new Route[] {fromClient, fromOtherClient, fromNonClient}) {
        for (OutboundProfile p : new OutboundProfile[] {clients, nonClients}) {
          assertThat(memo.rules(p, false, r))
              .as("round %d, %s to %s", round, r.source(), p.routeReflectorClient())
              .isSameAs(ExportRules.rules(config, p, false, r));
        }
      }
    }
    // The reflected set names its originator: two sources never share an answer.
    assertThat(memo.rules(clients, false, fromClient).originatorId())
        .isNotEqualTo(memo.rules(clients, false, fromOtherClient).originatorId());
    // iBGP non-client to non-client is not reflected (RFC 4456 §8).
    assertThat(memo.rules(nonClients, false, fromNonClient)).isNull();
  }

  @Test
  void staysCorrectPastItsSizeLimit() {
    Route[] routes = new Route[ExportMemo.LIMIT + 10];
    for (int i = 0; i < routes.length; i++) {
      AttributeSet attrs = Fixtures.attrs("10.0.0.9").med(i).build();
      routes[i] = new Route(Fixtures.client("10.0.0.1"), 0, attrs, 1);
    }
    for (Route r : routes) {
      assertThat(memo.rules(clients, false, r).med()).isEqualTo(r.attributes().med());
    }
    assertThat(memo.rules(clients, false, routes[0]))
        .isSameAs(ExportRules.rules(config, clients, false, routes[0]));
  }
}
