package dev.netctl.ipam.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.datastore.model.AllowedUse;
import dev.netctl.datastore.model.AssignmentMode;
import dev.netctl.datastore.model.IPAMConfig;
import dev.netctl.datastore.model.IPAMConfigSpec;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.IPPoolSpec;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.model.NodeSpec;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.ipam.IpamException;
import dev.netctl.ipam.block.Cidr;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The allocator driven by real IPPool, Node and IPAMConfig resources. */
@Timeout(30)
class ResourceEnvironmentTest {

  private static IPPoolSpec pool(String cidr, String selector, AssignmentMode mode) {
    return new IPPoolSpec(cidr, 26, null, null, false, false, false, selector, null, mode);
  }

  @Test
  void poolsAreSelectedByTheNodesLabelsAndTheirAssignmentMode() {
    try (MemoryDatastore ds = new MemoryDatastore()) {
      ResourceClient client = new ResourceClient(ds);
      client.create(IPPool.of("rack-a", pool("10.1.0.0/24", "rack == 'a'", null)));
      client.create(IPPool.of("rack-b", pool("10.2.0.0/24", "rack == 'b'", null)));
      client.create(IPPool.of("manual", pool("10.3.0.0/24", "all()", AssignmentMode.MANUAL)));
      client.create(new Node(ObjectMeta.named("n1", Map.of("rack", "a")), NodeSpec.bgp(null)));
      client.create(IPAMConfig.of(new IPAMConfigSpec(true, true, 1)));
      IpamAllocator ipam = new IpamAllocator(ds, new ResourceEnvironment(client));

      AssignResult auto = ipam.autoAssign(AssignRequest.of("n1", "h1", 1, 0));
      assertThat(Cidr.parse("10.1.0.0/24").contains(auto.ipv4().get(0).address())).isTrue();
      AssignResult named =
          ipam.autoAssign(new AssignRequest("n1", "h2", 1, 0, null, null, null, List.of("manual")));
      assertThat(Cidr.parse("10.3.0.0/24").contains(named.ipv4().get(0).address())).isTrue();
      // strictAffinity + maxBlocksPerHost 1 from the IPAMConfig: a full block is the end.
      assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("n1", "h3", 64, 0)))
          .isInstanceOf(IpamException.PoolExhausted.class)
          .hasMessageContaining("strictAffinity");
      assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("ghost", "h4", 1, 0)))
          .isInstanceOf(IpamException.UnknownNode.class);
    }
  }

  @Test
  void allowedUsesAndBlockSizeComeFromTheSpec() {
    IPPool p =
        IPPool.of(
            "tunnels",
            new IPPoolSpec(
                "fd00::/64",
                null,
                null,
                null,
                false,
                true,
                false,
                null,
                List.of(AllowedUse.TUNNEL),
                null));
    PoolSpec s = ResourceEnvironment.toSpec(p);
    assertThat(s.blockSize()).isEqualTo(122);
    assertThat(s.disabled()).isTrue();
    assertThat(s.allowedUses()).containsExactly("Tunnel");
    assertThat(s.manualOnly()).isFalse();
  }

  @Test
  void reservedRangesWrittenAroundValidationAreReadAsCalicoReadsThem() {
    // kubectl can store what netctl's validation refuses: host bits are dropped, junk is skipped.
    var r =
        ResourceEnvironment.toReservations(
            java.util.Arrays.asList("10.0.0.5/30", "not-an-ip", null, "fd00::1"));

    assertThat(r.contains(Cidr.parseAddress("10.0.0.4"))).isTrue();
    assertThat(r.contains(Cidr.parseAddress("10.0.0.7"))).isTrue();
    assertThat(r.contains(Cidr.parseAddress("10.0.0.8"))).isFalse();
    assertThat(r.contains(Cidr.parseAddress("fd00::1"))).isTrue();
    assertThat(r.countIn(Cidr.parse("0.0.0.0/0")).intValue()).isEqualTo(4);
  }

  /**
   * A Kubernetes datastore whose IPReservation CRD is not installed yet (agents upgraded before the
   * CRDs) names the missing kind: no reservation can exist there, so assignment goes on. Any other
   * outage still fails it.
   */
  @Test
  void aStoreWithoutTheReservationKindAssignsAsWithoutReservations() {
    try (MemoryDatastore ds = new MemoryDatastore()) {
      java.util.concurrent.atomic.AtomicReference<String> failing =
          new java.util.concurrent.atomic.AtomicReference<>();
      dev.netctl.datastore.Datastore store =
          new dev.netctl.datastore.ForwardingDatastore(ds) {
            @Override
            public java.util.concurrent.CompletableFuture<dev.netctl.datastore.Listing> list(
                String kind, String namePrefix) {
              if (kind.equals("IPReservation") && failing.get() != null) {
                return java.util.concurrent.CompletableFuture.failedFuture(
                    new dev.netctl.datastore.DatastoreException.Unavailable(
                        "kubernetes https://k8s:6443",
                        "no resource ipreservations.netctl.dev (HTTP 404)",
                        null,
                        failing.get()));
              }
              return super.list(kind, namePrefix);
            }
          };
      ResourceClient client = new ResourceClient(store);
      client.create(IPPool.of("p", pool("10.1.0.0/24", null, null)));
      client.create(new Node(ObjectMeta.named("n1", Map.of()), NodeSpec.bgp(null)));
      IpamAllocator ipam = new IpamAllocator(store, new ResourceEnvironment(client));

      failing.set("IPReservation");
      assertThat(ipam.autoAssign(AssignRequest.of("n1", "h1", 1, 0)).ipv4()).hasSize(1);
      // Another kind missing is not this reader's to excuse.
      failing.set("IPPool");
      assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("n1", "h2", 1, 0)))
          .hasMessageContaining("ipreservations.netctl.dev");
    }
  }
}
