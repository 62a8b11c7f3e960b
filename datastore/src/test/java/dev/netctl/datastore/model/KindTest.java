package dev.netctl.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KindTest {

  @ParameterizedTest
  @CsvSource({
    "ippool, IPPool",
    "IPPools, IPPool",
    "pool, IPPool",
    "pools, IPPool",
    "bgppeer, BGPPeer",
    "bgppeers, BGPPeer",
    "peer, BGPPeer",
    "peers, BGPPeer",
    "bgpconfig, BGPConfiguration",
    "bgpconfigurations, BGPConfiguration",
    "BGPConfiguration, BGPConfiguration",
    "node, Node",
    "nodes, Node",
    "no, Node",
    "nos, Node",
    "ipp, IPPool",
    "IPPS, IPPool",
    "bgpp, BGPPeer",
    "bgpps, BGPPeer",
    "bp, BGPPeer",
    "bps, BGPPeer",
    "ipamconfig, IPAMConfig",
    "ipamconfigs, IPAMConfig",
    "IPAMConfiguration, IPAMConfig"
  })
  void looksUpWhatKubectlAndCalicoctlUsersType(String typed, String kind) {
    assertThat(Kind.lookup(typed)).get().extracting(Kind::name).isEqualTo(kind);
  }

  @Test
  void unknownNamesAreEmpty() {
    assertThat(Kind.lookup("pod")).isEmpty();
  }

  @Test
  void namesAreUnambiguous() {
    Set<String> seen = new HashSet<>();
    for (Kind<?> k : Kind.all()) {
      for (String s : k.shortNames()) assertThat(seen.add(s)).as("duplicate %s", s).isTrue();
    }
  }

  @Test
  void poolColumnsMatchCalicoctl() {
    IPPool p =
        IPPool.of(
            "p1",
            IPPoolSpec.of("10.0.0.0/16")
                .withNatOutgoing(true)
                .withEncapsulation(EncapsulationMode.NEVER, EncapsulationMode.CROSS_SUBNET));
    assertThat(Kind.IP_POOL.headers(false)).containsExactly("NAME", "CIDR", "SELECTOR");
    assertThat(Kind.IP_POOL.row(p, false)).containsExactly("p1", "10.0.0.0/16", "all()");
    assertThat(Kind.IP_POOL.headers(true))
        .containsExactly(
            "NAME",
            "CIDR",
            "NAT",
            "IPIPMODE",
            "VXLANMODE",
            "DISABLED",
            "DISABLEBGPEXPORT",
            "SELECTOR");
    assertThat(Kind.IP_POOL.row(p, true))
        .containsExactly(
            "p1", "10.0.0.0/16", "true", "Never", "CrossSubnet", "false", "false", "all()");
  }

  @Test
  void everyKindRendersARowOfItsHeaderWidthForEveryResource() {
    for (Resource r : ResourceCodecTest.everyKindFullyPopulated()) {
      for (boolean wide : List.of(false, true)) {
        assertThat(r.kind().row(r, wide))
            .hasSameSizeAs(r.kind().headers(wide))
            .doesNotContainNull();
        assertThat(r.kind().row(r, wide).getFirst()).isEqualTo(r.name());
      }
    }
  }

  @Test
  void peerColumnsShowWhichNodesPeer() {
    BGPPeer global = BGPPeer.of("g", BGPPeerSpec.global("10.0.0.1", 65001));
    BGPPeer one = BGPPeer.of("o", BGPPeerSpec.global("10.0.0.1", 65001).withNode("n1"));
    assertThat(Kind.BGP_PEER.row(global, false))
        .containsExactly("g", "10.0.0.1", "(global)", "65001");
    assertThat(Kind.BGP_PEER.row(one, false)).containsExactly("o", "10.0.0.1", "n1", "65001");
  }
}
