package dev.netctl.agent.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.agent.kernel.FakeKernel;
import dev.netctl.agent.kernel.Route;
import dev.netctl.datastore.model.Cidr;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteManagerTest {

  private static Cidr c(String s) {
    return Cidr.parseAddressOrCidr(s);
  }

  private static Map<Cidr, Route> routes(Route... rs) {
    Map<Cidr, Route> m = new LinkedHashMap<>();
    for (Route r : rs) m.put(r.dst(), r);
    return m;
  }

  private final Route own = Route.blackhole(c("10.244.1.0/26"));
  private final Route remote =
      Route.via(c("10.244.2.0/26"), Cidr.parseAddress("10.0.0.2"), null, false);
  private final Route pod = Route.link(c("10.244.1.5/32"), "cali1");

  @Test
  void programsWhatIsMissingAndDeletesOnlyOurOwnLeftovers() {
    FakeKernel k = new FakeKernel();
    Route stale = Route.blackhole(c("10.244.9.0/26"));
    k.owned.put(stale.dst(), stale);
    k.foreign.put(c("10.244.2.0/26"), remote);
    RouteManager m = new RouteManager(k);
    m.desired(routes(own, remote, pod));
    m.apply();
    assertThat(k.owned.keySet()).containsExactlyInAnyOrder(own.dst(), remote.dst(), pod.dst());
    assertThat(k.foreign).containsKey(c("10.244.2.0/26"));
  }

  @Test
  void aRestartWithTheSameDesiredStateWritesNothing() {
    FakeKernel k = new FakeKernel();
    RouteManager first = new RouteManager(k);
    first.desired(routes(own, remote, pod));
    first.apply();
    // The kernel reports the device it resolved for a route we left to it.
    k.owned.put(remote.dst(), Route.via(remote.dst(), remote.gateways().getFirst(), "eth0", false));
    k.writes.clear();

    RouteManager restarted = new RouteManager(k);
    restarted.desired(routes(own, remote, pod));
    assertThat(restarted.apply()).isZero();
    assertThat(k.writes).isEmpty();
  }

  /**
   * A block moving from native routing to VXLAN: its IPv6 VTEP address lies inside the block, and
   * the kernel refuses an onlink gateway that resolves through the block's old route on another
   * device, so the old route is deleted first (in the same batch).
   */
  @Test
  void aRouteChangingDeviceIsDeletedBeforeItsReplacement() {
    FakeKernel k = new FakeKernel();
    RouteManager m = new RouteManager(k);
    Route native6 = Route.via(c("fd00:10::9:0/122"), Cidr.parseAddress("fd77::12"), "eth0", false);
    Route vxlan6 =
        Route.via(
            c("fd00:10::9:0/122"), Cidr.parseAddress("fd00:10::9:3"), "vxlan-v6.calico", true);
    m.desired(routes(native6));
    m.apply();
    k.writes.clear();
    m.desired(routes(vxlan6));
    m.apply();
    assertThat(m.lastFailures()).isEmpty();
    assertThat(k.writes)
        .containsExactly("route del " + native6.dst(), "route replace " + vxlan6.ipArgs());
    assertThat(k.owned).containsEntry(vxlan6.dst(), vxlan6);

    // The same device: replaced in place, no gap.
    Route moved = Route.via(vxlan6.dst(), Cidr.parseAddress("fd00:10::9:4"), vxlan6.dev(), true);
    k.writes.clear();
    m.patch(routes(moved));
    m.apply();
    assertThat(k.writes).containsExactly("route replace " + moved.ipArgs());
  }

  @Test
  void aFailingRouteDoesNotStopTheOthersAndIsRetried() {
    FakeKernel k = new FakeKernel();
    k.failRoute = r -> r.equals(remote);
    RouteManager m = new RouteManager(k);
    m.desired(routes(own, remote, pod));
    m.apply();
    assertThat(m.lastFailures()).hasSize(1);
    assertThat(k.owned.keySet()).containsExactlyInAnyOrder(own.dst(), pod.dst());

    k.failRoute = r -> false;
    m.apply();
    assertThat(m.lastFailures()).isEmpty();
    assertThat(k.owned).containsKey(remote.dst());
  }

  @Test
  void aChangedRouteIsReplacedInPlace() {
    FakeKernel k = new FakeKernel();
    RouteManager m = new RouteManager(k);
    m.desired(routes(remote));
    m.apply();
    Route moved = Route.via(remote.dst(), Cidr.parseAddress("10.244.2.1"), "vxlan.calico", true);
    m.desired(routes(moved));
    k.writes.clear();
    m.apply();
    assertThat(k.writes).containsExactly("route replace " + moved.ipArgs());
    assertThat(k.owned.get(remote.dst())).isEqualTo(moved);
  }

  @Test
  void ipArgsAreWhatIpRouteExpects() {
    assertThat(own.ipArgs()).isEqualTo("blackhole 10.244.1.0/26 proto 86");
    assertThat(pod.ipArgs()).isEqualTo("10.244.1.5/32 dev cali1 scope link proto 86");
    assertThat(
            Route.via(c("fd00:1::/122"), Cidr.parseAddress("fd00::2"), "vxlan-v6.calico", true)
                .ipArgs())
        .isEqualTo("fd00:1::/122 via fd00::2 dev vxlan-v6.calico onlink proto 86");
  }

  /**
   * The kernel checks an IPv6 onlink gateway against the routes already there: the host route to a
   * peer's VTEP must be written before the routes via it, in the same batch.
   */
  @Test
  void linkRoutesAreWrittenBeforeRoutesWithAGateway() {
    FakeKernel k = new FakeKernel();
    RouteManager m = new RouteManager(k);
    Route viaVtep =
        Route.via(c("fd81::88/128"), Cidr.parseAddress("fd78::2:0"), "vxlan-v6.calico", true);
    Route vtep = Route.link(c("fd78::2:0/128"), "vxlan-v6.calico");
    m.desired(routes(viaVtep, remote, vtep, own));
    m.apply();
    assertThat(k.writes.subList(0, 2))
        .containsExactlyInAnyOrder(
            "route replace " + vtep.ipArgs(), "route replace " + own.ipArgs());
    assertThat(k.writes.subList(2, 4))
        .containsExactlyInAnyOrder(
            "route replace " + viaVtep.ipArgs(), "route replace " + remote.ipArgs());
  }
}
