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
}
