package dev.netctl.ipam.gc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GcPlannerTest {
  private static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");
  private final GcPlanner planner = new GcPlanner(Duration.ofMinutes(15));

  private static ClusterSnapshot snapshot(Set<String> wepContainers, List<String> handles) {
    return new ClusterSnapshot(
        Set.of("n1"),
        "Node resource",
        Set.of("n1"),
        wepContainers,
        Set.of("n1"),
        Map.of(),
        Set.of(),
        Set.of(),
        handles);
  }

  @Test
  void aHandleIsDueOnlyAfterTwoSightingsAGraceApart() {
    var s = snapshot(Set.of("live"), List.of("k8s-pod-network.live", "k8s-pod-network.gone"));
    GcPlan first = planner.plan(s, T0);
    assertThat(first.dueHandles()).isEmpty();
    assertThat(first.waiting())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.name()).isEqualTo("k8s-pod-network.gone");
              assertThat(i.newlySeen()).isTrue();
              assertThat(i.releaseAt()).isEqualTo(T0.plus(Duration.ofMinutes(15)));
            });
    assertThat(planner.plan(s, T0.plus(Duration.ofMinutes(14))).dueHandles()).isEmpty();
    GcPlan due = planner.plan(s, T0.plus(Duration.ofMinutes(15)));
    assertThat(due.dueHandles())
        .extracting(GcPlan.Item::name)
        .containsExactly("k8s-pod-network.gone");
    assertThat(due.dueHandles().getFirst().newlySeen()).isFalse();
  }

  @Test
  void oneSightingOfThePodResetsTheGracePeriod() {
    var orphan = snapshot(Set.of(), List.of("k8s-pod-network.c1"));
    var owned = snapshot(Set.of("c1"), List.of("k8s-pod-network.c1"));
    planner.plan(orphan, T0);
    planner.plan(owned, T0.plus(Duration.ofMinutes(10)));
    assertThat(planner.plan(orphan, T0.plus(Duration.ofMinutes(20))).dueHandles()).isEmpty();
    assertThat(planner.plan(orphan, T0.plus(Duration.ofMinutes(35))).dueHandles()).hasSize(1);
  }

  @Test
  void aZeroGraceStillReportsBeforeActing() {
    GcPlanner eager = new GcPlanner(Duration.ZERO);
    var s = snapshot(Set.of(), List.of("k8s-pod-network.c1"));
    assertThat(eager.plan(s, T0).dueHandles()).isEmpty();
    assertThat(eager.plan(s, T0).dueHandles()).hasSize(1);
  }

  @Test
  void tunnelHandlesFollowTheirNodeAndForeignHandlesAreNeverCandidates() {
    var s =
        new ClusterSnapshot(
            Set.of("n1"),
            "Kubernetes Node",
            Set.of("n1", "n2"),
            Set.of(),
            Set.of("n1", "n2"),
            Map.of(),
            Set.of(),
            Set.of(),
            List.of("ipip-tunnel-addr-n1", "vxlan-tunnel-addr-n2", "my-own-handle"));
    GcPlan p = planner.plan(s, T0);
    assertThat(p.waiting())
        .extracting(GcPlan.Item::target, GcPlan.Item::name)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(GcPlan.Target.NODE, "n2"),
            org.assertj.core.groups.Tuple.tuple(GcPlan.Target.HANDLE, "vxlan-tunnel-addr-n2"));
    assertThat(p.waiting())
        .extracting(GcPlan.Item::reason)
        .as("the reason names what liveness is")
        .containsOnly("no Kubernetes Node \"n2\"");
  }
}
