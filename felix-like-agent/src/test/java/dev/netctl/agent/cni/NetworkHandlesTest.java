package dev.netctl.agent.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class NetworkHandlesTest {

  @Test
  void calicosHandleOfAnUndottedNetworkIsReadAtItsOnlyDot() {
    NetworkHandles h = new NetworkHandles("k8s-pod-network", Set.of("abc"));
    assertThat(h.containerOf("k8s-pod-network.abc")).isEqualTo("abc");
    assertThat(h.containerOf("k8s-pod-network.gone")).isEqualTo("gone");
    assertThat(h.containerOf("other-net.abc")).isNull();
    assertThat(h.containerOf("k8s-pod-network-2.abc")).isNull();
    assertThat(h.containerOf("ipip-tunnel-addr-node-1")).isNull();
  }

  @Test
  void aLongerDottedNetworksHandleOfALiveContainerIsNotTheShorterNetworks() {
    // "pods.extra.c1" is network pods.extra's container c1, which is alive: GC of "pods" must
    // not read it as its own container "extra.c1".
    NetworkHandles pods = new NetworkHandles("pods", Set.of("c1"));
    assertThat(pods.containerOf("pods.extra.c1")).isNull();
    // With no live container under the other reading it is pods' (or a leak either way).
    assertThat(new NetworkHandles("pods", Set.of()).containerOf("pods.extra.c1"))
        .isEqualTo("extra.c1");
  }

  @Test
  void aShorterNetworksHandleOfALiveDottedContainerIsNotTheLongerNetworks() {
    // "pods.extra.c1" may as well be network "pods" with container "extra.c1"
    NetworkHandles extra = new NetworkHandles("pods.extra", Set.of("extra.c1"));
    assertThat(extra.containerOf("pods.extra.c1")).isNull();
    assertThat(new NetworkHandles("pods.extra", Set.of("c1")).containerOf("pods.extra.c1"))
        .isEqualTo("c1");
  }

  @Test
  void perInterfaceHandlesAreMatchedOnTheWholeNetworkName() {
    NetworkHandles pods = new NetworkHandles("pods", Set.of());
    assertThat(pods.containerOf("pods:net1:c1")).isEqualTo("c1");
    assertThat(pods.containerOf("pods.extra:net1:c1")).isNull();
    assertThat(new NetworkHandles("pods.extra", Set.of()).containerOf("pods.extra:net1:c1"))
        .isEqualTo("c1");
    assertThat(pods.containerOf("pods:net1:")).isNull();
    assertThat(pods.containerOf("pods.")).isNull();
  }
}
