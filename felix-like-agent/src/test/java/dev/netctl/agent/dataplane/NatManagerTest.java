package dev.netctl.agent.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.agent.kernel.FakeKernel;
import dev.netctl.datastore.model.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;

class NatManagerTest {

  @Test
  void masqueradesNatPoolsToDestinationsOutsideEveryPoolAndWritesOnlyOnChange() {
    FakeKernel k = new FakeKernel();
    NatManager m = new NatManager(k);
    List<Cidr> nat = List.of(Cidr.parse("10.244.0.0/16"));
    List<Cidr> all = List.of(Cidr.parse("10.244.0.0/16"), Cidr.parse("fd00::/48"));
    m.desired(nat, all);
    m.apply();
    m.apply();
    assertThat(k.nftScripts).hasSize(1);
    String s = k.nftScripts.getFirst();
    assertThat(s)
        .contains("set nat-pools { type ipv4_addr; flags interval; elements = { 10.244.0.0/16 } }")
        .contains("ip saddr @nat-pools ip daddr != @all-pools masquerade fully-random")
        // no IPv6 pool has natOutgoing: the ip6 table is only removed
        .contains("delete table ip6 netctl-nat")
        .doesNotContain("table ip6 netctl-nat {\n");
  }
}
