package dev.netctl.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BGPPeerSpecTest {
  @Test
  void aCopyWithAnotherScopeKeepsHowThePeeringIsMade() {
    BGPPeerSpec full =
        new BGPPeerSpec(
            null,
            null,
            "[fd00::1]:1790",
            65001L,
            null,
            new BGPPassword(new SecretKeySelector("bgp", "pw")),
            false,
            NextHopMode.SELF,
            "2m30s",
            SourceAddress.NONE,
            1,
            List.of("f"),
            "20s",
            2);
    BGPPeerSpec one = full.withNode("n1");
    assertThat(one.node()).isEqualTo("n1");
    assertThat(one.withNode(null)).isEqualTo(full);
    BGPPeerSpec rr = full.withSelectors("!has(rr)", "has(rr)");
    assertThat(rr.nodeSelector()).isEqualTo("!has(rr)");
    assertThat(rr.peerSelector()).isEqualTo("has(rr)");
    assertThat(rr.withSelectors(null, null)).isEqualTo(full);
  }
}
