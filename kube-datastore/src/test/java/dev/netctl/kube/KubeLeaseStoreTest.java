package dev.netctl.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.lease.LeaderElector;
import dev.netctl.datastore.lease.LeaseSource;
import dev.netctl.datastore.lease.LeaseStore;
import dev.netctl.datastore.lease.MutableClock;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leader election on {@code coordination.k8s.io/v1} Leases, on fabric8's CRUD mock: the same
 * elector as on etcd, with the Lease object a Kubernetes user reads with {@code kubectl get lease}.
 */
class KubeLeaseStoreTest {
  private static final String NS = "netctl-system";
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T12:00:00Z"));
  private ApiServerLike server;
  private KubernetesDatastore store;
  private KubernetesClient reader;

  @BeforeEach
  void start() {
    server = ApiServerLike.start();
    io.fabric8.kubernetes.client.Config config = server.config();
    config.setNamespace(NS);
    store = KubernetesDatastore.connect(config);
    reader = new KubernetesClientBuilder().withConfig(server.config()).build();
  }

  @AfterEach
  void stop() {
    store.close();
    reader.close();
    server.stop();
  }

  private LeaderElector elector(String id) {
    return new LeaderElector(
        LeaseSource.forStore(store, Duration.ofSeconds(5)),
        new LeaderElector.Config(
            "netctl-controllers",
            id,
            Duration.ofSeconds(15),
            Duration.ofSeconds(10),
            Duration.ofSeconds(2)),
        clock);
  }

  private Lease stored() {
    return reader.leases().inNamespace(NS).withName("netctl-controllers").get();
  }

  @Test
  void theKubernetesBackendElectsOnACoordinationLeaseInItsNamespace() {
    assertThat(LeaseSource.forStore(store, Duration.ofSeconds(1)))
        .isInstanceOfSatisfying(KubeLeaseStore.class, s -> assertThat(s.namespace()).isEqualTo(NS));
    LeaderElector a = elector("a");
    assertThat(a.tryAcquireOrRenew()).isTrue();
    Lease l = stored();
    assertThat(l.getSpec().getHolderIdentity()).isEqualTo("a");
    assertThat(l.getSpec().getLeaseDurationSeconds()).isEqualTo(15);
    assertThat(l.getSpec().getAcquireTime().toInstant()).isEqualTo(clock.instant());
    assertThat(l.getSpec().getRenewTime().toInstant()).isEqualTo(clock.instant());
    assertThat(l.getSpec().getLeaseTransitions()).isZero();
    // nothing went into netctl's own kinds
    assertThat(server.requests()).noneMatch(r -> r.contains("/apis/netctl.dev/"));
  }

  @Test
  void twoCandidatesOneLeaderThenTakeoverAfterExpiryCountsATransition() {
    LeaderElector a = elector("a");
    LeaderElector b = elector("b");
    assertThat(a.tryAcquireOrRenew()).isTrue();
    assertThat(b.tryAcquireOrRenew()).isFalse();
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(2));
      assertThat(a.tryAcquireOrRenew()).as("round %d: the holder renews", i).isTrue();
      assertThat(b.tryAcquireOrRenew()).as("round %d: a renewed lease is not taken", i).isFalse();
    }
    assertThat(stored().getSpec().getRenewTime().toInstant()).isEqualTo(clock.instant());
    Instant acquired = stored().getSpec().getAcquireTime().toInstant();

    // a stops renewing; b takes over 15 s after it last saw the lease change
    clock.advance(Duration.ofSeconds(14));
    assertThat(b.tryAcquireOrRenew()).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(b.tryAcquireOrRenew()).as("expired: b takes over").isTrue();
    assertThat(a.tryAcquireOrRenew()).as("a comes back to find b holding it").isFalse();
    Lease l = stored();
    assertThat(l.getSpec().getHolderIdentity()).isEqualTo("b");
    assertThat(l.getSpec().getLeaseTransitions()).isEqualTo(1);
    assertThat(l.getSpec().getAcquireTime().toInstant()).isAfter(acquired);

    b.release();
    assertThat(stored().getSpec().getHolderIdentity()).isEmpty();
    assertThat(a.tryAcquireOrRenew()).as("a released lease is taken at once").isTrue();
    assertThat(stored().getSpec().getLeaseTransitions()).isEqualTo(2);
  }

  @Test
  void aRenewAgainstAStaleResourceVersionLoses() {
    LeaseStore leases = LeaseSource.forStore(store, Duration.ofSeconds(5));
    LeaderElector a = elector("a");
    assertThat(a.tryAcquireOrRenew()).isTrue();
    LeaseStore.Stored seen = leases.read("netctl-controllers").orElseThrow();
    // someone else writes the Lease (kubectl, another controller): its resourceVersion moves on
    Lease other = stored();
    other.getSpec().setHolderIdentity("intruder");
    reader.leases().inNamespace(NS).resource(other).update();
    assertThatThrownBy(() -> leases.update("netctl-controllers", seen.lease(), seen.revision()))
        .isInstanceOf(DatastoreException.Conflict.class);
    assertThatThrownBy(() -> leases.create("netctl-controllers", seen.lease()))
        .isInstanceOf(DatastoreException.AlreadyExists.class);
    clock.advance(Duration.ofSeconds(2));
    assertThat(a.tryAcquireOrRenew()).as("a sees another holder: not leader").isFalse();
    assertThat(a.isLeader()).isFalse();
    assertThat(stored().getSpec().getHolderIdentity()).isEqualTo("intruder");
  }

  @Test
  void electionUsesOnlyTheVerbsItsRoleGrants() {
    LeaderElector a = elector("a");
    LeaderElector b = elector("b");
    a.tryAcquireOrRenew();
    b.tryAcquireOrRenew();
    clock.advance(Duration.ofSeconds(16));
    b.tryAcquireOrRenew();
    b.tryAcquireOrRenew();
    b.release();
    Set<ApiAccess.Grant> used = new TreeSet<>((x, y) -> x.toString().compareTo(y.toString()));
    for (String r : server.requests()) {
      String method = r.substring(0, r.indexOf(' '));
      String[] parts = URI.create(r.substring(r.indexOf(' ') + 1)).getPath().split("/");
      // "", "apis", group, version, "namespaces", ns, "leases"[, name]
      assertThat(parts[5]).as("namespace of %s", r).isEqualTo(NS);
      used.add(
          new ApiAccess.Grant(
              parts[2], parts[6], ApiAccess.verb(method, parts.length == 7, false)));
    }
    assertThat(used)
        .as("calls made, as RBAC sees them")
        .containsExactlyInAnyOrderElementsOf(ApiAccess.leaderElection());
  }
}
