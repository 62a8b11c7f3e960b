package dev.netctl.agent.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.agent.kernel.FakeKernel;
import dev.netctl.agent.kernel.Neighbour;
import dev.netctl.agent.kernel.Ownership;
import dev.netctl.agent.kernel.Vxlan;
import dev.netctl.datastore.model.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;

class VxlanManagerTest {

  private static final Vxlan DEVICE =
      new Vxlan(
          Ownership.VXLAN_V4,
          4096,
          4789,
          Cidr.parseAddress("10.0.0.1"),
          "eth0",
          "66:00:00:00:00:01",
          1450,
          Cidr.parse("10.244.1.1/32"));

  private static Neighbour vtep(String tunnel, String mac, String underlay) {
    return new Neighbour(Cidr.parseAddress(tunnel), mac, Cidr.parseAddress(underlay));
  }

  @Test
  void aPeerWhoseTunnelAddressChangedKeepsItsFdbEntry() {
    FakeKernel k = new FakeKernel();
    VxlanManager m = new VxlanManager(k, Ownership.VXLAN_V4);
    Neighbour old = vtep("10.244.2.1", "66:00:00:00:00:02", "10.0.0.2");
    m.desired(DEVICE, List.of(old));
    m.applyAdds();
    m.applyRemovals();

    // The peer restarted on a new datastore: same VTEP MAC (derived from its name), new address.
    Neighbour moved = vtep("10.244.7.1", "66:00:00:00:00:02", "10.0.0.2");
    m.desired(DEVICE, List.of(moved));
    k.writes.clear();
    m.applyAdds();
    m.applyRemovals();

    assertThat(k.neighbours(Ownership.VXLAN_V4))
        .as("the FDB entry (keyed by MAC) survives the old neighbour's removal")
        .containsExactly(moved);
    assertThat(k.writes)
        .as("the kept MAC's FDB entry is replaced in place, never deleted and written again")
        .containsExactly("neigh replace 10.244.7.1", "neigh del 10.244.2.1");
  }

  @Test
  void aPeerThatLeftTakesItsFdbEntryWithIt() {
    FakeKernel k = new FakeKernel();
    VxlanManager m = new VxlanManager(k, Ownership.VXLAN_V4);
    Neighbour stays = vtep("10.244.2.1", "66:00:00:00:00:02", "10.0.0.2");
    Neighbour leaves = vtep("10.244.3.1", "66:00:00:00:00:03", "10.0.0.3");
    m.desired(DEVICE, List.of(stays, leaves));
    m.applyAdds();
    m.applyRemovals();

    m.desired(DEVICE, List.of(stays));
    k.writes.clear();
    m.applyAdds();
    m.applyRemovals();

    assertThat(k.writes).containsExactly("neigh del 10.244.3.1", "fdb del 66:00:00:00:00:03");
    assertThat(k.fdb.get(Ownership.VXLAN_V4)).containsOnlyKeys("66:00:00:00:00:02");
  }

  @Test
  void noDeviceWantedRemovesIt() {
    FakeKernel k = new FakeKernel();
    VxlanManager m = new VxlanManager(k, Ownership.VXLAN_V4);
    m.desired(DEVICE, List.of(vtep("10.244.2.1", "66:00:00:00:00:02", "10.0.0.2")));
    m.applyAdds();
    assertThat(k.links).containsKey(Ownership.VXLAN_V4);
    m.desired(null, List.of());
    m.applyRemovals();
    assertThat(k.links).doesNotContainKey(Ownership.VXLAN_V4);
  }
}
