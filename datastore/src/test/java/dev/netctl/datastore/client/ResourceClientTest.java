package dev.netctl.datastore.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.ForwardingDatastore;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.Write;
import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.datastore.model.BGPConfiguration;
import dev.netctl.datastore.model.BGPConfigurationSpec;
import dev.netctl.datastore.model.BGPPeer;
import dev.netctl.datastore.model.BGPPeerSpec;
import dev.netctl.datastore.model.IPAMConfig;
import dev.netctl.datastore.model.IPAMConfigSpec;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.IPPoolSpec;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.model.NodeBGPSpec;
import dev.netctl.datastore.model.NodeSpec;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.datastore.model.ValidationException;
import dev.netctl.datastore.selector.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ResourceClientTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-02T03:04:05.678Z"), ZoneOffset.UTC);

  private final MemoryDatastore store = new MemoryDatastore();
  private final ResourceCodec codec = new ResourceCodec();
  private final ResourceClient client =
      new ResourceClient(store, codec, CLOCK, Duration.ofSeconds(10));

  @AfterEach
  void close() {
    store.close();
  }

  private static IPPool pool(String name, String cidr) {
    return IPPool.of(name, IPPoolSpec.of(cidr));
  }

  private long storeRevision() {
    return store.list("nothing").join().revision();
  }

  /**
   * A pool enabled again after a deletion stopped half-way loses its deletion mark, so that a later
   * plain disable does not make it "being deleted" (its pods' routes withheld) again.
   */
  @Test
  void enablingAPoolMarkedForDeletionTakesTheMarkAway() {
    client.create(pool("a", "10.0.0.0/16"));
    IPPool marked =
        client.update(
            IPPool.of("a", IPPoolSpec.of("10.0.0.0/16").withDisabled(true))
                .markedDeleting("2026-12-07T00:00:00Z"));
    assertThat(marked.beingDeleted()).isTrue();

    IPPool enabled =
        client.update(new IPPool(marked.metadata(), marked.spec().withDisabled(false)));
    assertThat(enabled.metadata().annotations()).doesNotContainKey(IPPool.DELETING_ANNOTATION);
    IPPool disabledAgain =
        client.update(new IPPool(enabled.metadata(), enabled.spec().withDisabled(true)));
    assertThat(disabledAgain.beingDeleted()).isFalse();
  }

  @Test
  void createAssignsIdentityAndResourceVersion() {
    IPPool created = client.create(pool("a", "10.0.0.0/16"));

    assertThat(created.metadata().uid()).matches("[0-9a-f-]{36}");
    assertThat(created.metadata().creationTimestamp()).isEqualTo("2026-01-02T03:04:05Z");
    assertThat(created.metadata().resourceVersion()).isEqualTo(Long.toString(storeRevision()));
    assertThat(client.get(Kind.IP_POOL, "a")).isEqualTo(created);
    Entry raw = store.get(new Key("IPPool", "a")).join().orElseThrow();
    assertThat(new String(raw.value(), StandardCharsets.UTF_8))
        .startsWith("{\"apiVersion\":\"netctl.dev/v1\",\"kind\":\"IPPool\"");
  }

  @Test
  void createIgnoresAGivenResourceVersion() {
    IPPool p = pool("a", "10.0.0.0/16");
    IPPool created = client.create(p.withMetadata(p.metadata().withResourceVersion("999")));
    assertThat(created.metadata().resourceVersion()).isNotEqualTo("999");
  }

  @Test
  void invalidCreateWritesNothing() {
    assertThatThrownBy(() -> client.create(pool("a", "10.0.0.1/16")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining(
            "IPPool \"a\": spec.cidr \"10.0.0.1/16\" must have all host bits zero");
    assertThat(client.list(Kind.IP_POOL)).isEmpty();
    assertThat(storeRevision()).isZero();
  }

  @Test
  void createOfAnExistingNameFails() {
    client.create(pool("a", "10.0.0.0/16"));
    assertThatThrownBy(() -> client.create(pool("a", "10.9.0.0/16")))
        .isInstanceOf(DatastoreException.AlreadyExists.class);
  }

  @Test
  void overlappingPoolIsRejectedBeforeAnyWrite() {
    client.create(pool("a", "10.0.0.0/16"));
    long before = storeRevision();

    assertThatThrownBy(() -> client.create(pool("b", "10.0.64.0/18")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("must not overlap IPPool \"a\" (10.0.0.0/16)");
    assertThat(storeRevision()).isEqualTo(before);
  }

  @Test
  void aPoolCreatedBetweenValidationAndCommitStillBlocksAnOverlappingOne() {
    // The other creator commits after this client listed the pools but before it commits: without
    // the guard key both overlapping pools would be stored.
    InterferingDatastore racy = new InterferingDatastore(store);
    ResourceClient racyClient = new ResourceClient(racy, codec, CLOCK, Duration.ofSeconds(10));
    racy.beforeNextWrite = () -> client.create(pool("first", "10.0.0.0/16"));

    assertThatThrownBy(() -> racyClient.create(pool("second", "10.0.128.0/17")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("must not overlap IPPool \"first\"");
    assertThat(client.list(Kind.IP_POOL)).extracting(IPPool::name).containsExactly("first");
  }

  @Test
  void aRacingNonOverlappingPoolOnlyCostsARetry() {
    InterferingDatastore racy = new InterferingDatastore(store);
    ResourceClient racyClient = new ResourceClient(racy, codec, CLOCK, Duration.ofSeconds(10));
    racy.beforeNextWrite = () -> client.create(pool("first", "10.0.0.0/16"));

    racyClient.create(pool("second", "10.1.0.0/16"));

    assertThat(client.list(Kind.IP_POOL))
        .extracting(IPPool::name)
        .containsExactly("first", "second");
  }

  @Test
  @Timeout(30)
  void concurrentOverlappingPoolCreatesAdmitExactlyOne() throws Exception {
    int n = 8;
    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(n);
    java.util.concurrent.ExecutorService threads =
        java.util.concurrent.Executors.newFixedThreadPool(n);
    try {
      List<java.util.concurrent.Future<Boolean>> outcomes = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        String name = "p" + i;
        String cidr = "10.0.0.0/" + (16 + i); // every pair overlaps
        outcomes.add(
            threads.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  try {
                    client.create(pool(name, cidr));
                    return true;
                  } catch (ValidationException e) {
                    return false;
                  }
                }));
      }
      int created = 0;
      for (var f : outcomes) created += f.get(20, TimeUnit.SECONDS) ? 1 : 0;
      List<IPPool> stored = client.list(Kind.IP_POOL);
      assertThat(stored).hasSize(created);
      for (IPPool a : stored) {
        for (IPPool b : stored) {
          if (a != b) {
            assertThat(
                    dev.netctl.datastore.model.Cidr.parse(a.spec().cidr())
                        .overlaps(dev.netctl.datastore.model.Cidr.parse(b.spec().cidr())))
                .as(a.spec().cidr() + " vs " + b.spec().cidr())
                .isFalse();
          }
        }
      }
      assertThat(created).isEqualTo(1);
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void createAllWritesNothingWhenAnObjectAppearsBeforeItsCommit() {
    InterferingDatastore racy = new InterferingDatastore(store);
    ResourceClient racyClient = new ResourceClient(racy, codec, CLOCK, Duration.ofSeconds(10));
    racy.beforeNextWrite = () -> client.create(pool("c", "10.2.0.0/16"));

    assertThatThrownBy(
            () ->
                racyClient.createAll(
                    List.of(
                        pool("a", "10.0.0.0/16"),
                        pool("b", "10.1.0.0/16"),
                        pool("c", "10.3.0.0/16"))))
        .isInstanceOf(DatastoreException.AlreadyExists.class)
        .hasMessageContaining("\"c\"");
    assertThat(client.list(Kind.IP_POOL)).extracting(IPPool::name).containsExactly("c");
  }

  @Test
  void applyAllWritesNothingWhenAnObjectChangesBeforeItsCommit() {
    client.create(pool("a", "10.0.0.0/16"));
    client.create(pool("b", "10.1.0.0/16"));
    InterferingDatastore racy = new InterferingDatastore(store);
    ResourceClient racyClient = new ResourceClient(racy, codec, CLOCK, Duration.ofSeconds(10));
    racy.beforeNextWrite =
        () -> client.update(IPPool.of("b", IPPoolSpec.of("10.1.0.0/16").withDisabled(true)));

    assertThatThrownBy(
            () ->
                racyClient.applyAll(
                    List.of(
                        IPPool.of("a", IPPoolSpec.of("10.0.0.0/16").withNatOutgoing(true)),
                        IPPool.of("b", IPPoolSpec.of("10.1.0.0/16").withNatOutgoing(true)),
                        pool("new", "10.5.0.0/16"))))
        .isInstanceOf(DatastoreException.Conflict.class);
    assertThat(client.get(Kind.IP_POOL, "a").spec().natOutgoing()).isFalse();
    assertThat(client.get(Kind.IP_POOL, "b").spec().disabled()).isTrue();
    assertThat(client.find(Kind.IP_POOL, "new")).isEmpty();
  }

  @Test
  void updateKeepsIdentityAndAdvancesResourceVersion() {
    IPPool created = client.create(pool("a", "10.0.0.0/16"));
    IPPool changed =
        IPPool.of("a", IPPoolSpec.of("10.0.0.0/16").withNatOutgoing(true)); // no server fields

    IPPool updated = client.update(changed);

    assertThat(updated.metadata().uid()).isEqualTo(created.metadata().uid());
    assertThat(updated.metadata().creationTimestamp())
        .isEqualTo(created.metadata().creationTimestamp());
    assertThat(Long.parseLong(updated.metadata().resourceVersion()))
        .isGreaterThan(Long.parseLong(created.metadata().resourceVersion()));
    assertThat(client.get(Kind.IP_POOL, "a").spec().natOutgoing()).isTrue();
  }

  @Test
  void updateWithStaleResourceVersionConflictsAndChangesNothing() {
    IPPool v1 = client.create(pool("a", "10.0.0.0/16"));
    client.update(IPPool.of("a", v1.spec().withNatOutgoing(true)));

    IPPool stale = new IPPool(v1.metadata(), v1.spec().withDisabled(true));
    assertThatThrownBy(() -> client.update(stale)).isInstanceOf(DatastoreException.Conflict.class);
    assertThat(client.get(Kind.IP_POOL, "a").spec().disabled()).isFalse();
  }

  @Test
  void updateWithCurrentResourceVersionSucceeds() {
    IPPool v1 = client.create(pool("a", "10.0.0.0/16"));
    IPPool v2 = client.update(new IPPool(v1.metadata(), v1.spec().withDisabled(true)));
    assertThat(v2.spec().disabled()).isTrue();
  }

  @Test
  void updateWithoutResourceVersionSurfacesAConcurrentWriteAsConflict() {
    client.create(pool("a", "10.0.0.0/16"));
    // Another writer slips in between the client's read and its compare-and-swap.
    InterferingDatastore racy = new InterferingDatastore(store);
    ResourceClient racyClient = new ResourceClient(racy, codec, CLOCK, Duration.ofSeconds(10));
    racy.beforeNextWrite =
        () -> client.update(IPPool.of("a", IPPoolSpec.of("10.0.0.0/16").withDisabled(true)));

    assertThatThrownBy(
            () ->
                racyClient.update(
                    IPPool.of("a", IPPoolSpec.of("10.0.0.0/16").withNatOutgoing(true))))
        .isInstanceOf(DatastoreException.Conflict.class);
    IPPool now = client.get(Kind.IP_POOL, "a");
    assertThat(now.spec().disabled()).as("the other writer's change survives").isTrue();
    assertThat(now.spec().natOutgoing()).isFalse();
  }

  @Test
  void immutableFieldsCannotBeUpdated() {
    client.create(pool("a", "10.0.0.0/16"));
    assertThatThrownBy(() -> client.update(pool("a", "10.1.0.0/16")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("spec.cidr \"10.1.0.0/16\" cannot be changed (was 10.0.0.0/16)");
    assertThatThrownBy(
            () -> client.apply(IPPool.of("a", IPPoolSpec.of("10.0.0.0/16").withBlockSize(28))))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("spec.blockSize \"28\" cannot be changed (was 26)");
  }

  @Test
  void updateOfAbsentObjectIsNotFound() {
    assertThatThrownBy(() -> client.update(pool("nope", "10.0.0.0/16")))
        .isInstanceOf(DatastoreException.NotFound.class);
  }

  @Test
  void applyCreatesThenUpdatesAndIsANoOpForIdenticalContent() {
    Applied<IPPool> first = client.apply(pool("a", "10.0.0.0/16"));
    assertThat(first.outcome()).isEqualTo(Applied.Outcome.CREATED);
    long afterCreate = storeRevision();

    Applied<IPPool> again = client.apply(pool("a", "10.0.0.0/16"));
    assertThat(again.outcome()).isEqualTo(Applied.Outcome.UNCHANGED);
    assertThat(again.resource()).isEqualTo(first.resource());
    assertThat(storeRevision()).as("no new revision").isEqualTo(afterCreate);

    Applied<IPPool> changed =
        client.apply(IPPool.of("a", IPPoolSpec.of("10.0.0.0/16").withNatOutgoing(true)));
    assertThat(changed.outcome()).isEqualTo(Applied.Outcome.UPDATED);
    assertThat(storeRevision()).isGreaterThan(afterCreate);
  }

  @Test
  void applyingGetOutputIsANoOp() {
    client.create(
        new IPPool(
            ObjectMeta.named("a", Map.of("zone", "z1")),
            IPPoolSpec.of("10.0.0.0/16").withNatOutgoing(true)));
    long before = storeRevision();
    String yaml = codec.toYaml(client.get(Kind.IP_POOL, "a"));

    Resource fromYaml = codec.readOne(yaml);
    Applied<Resource> a = client.apply(fromYaml);

    assertThat(a.outcome()).isEqualTo(Applied.Outcome.UNCHANGED);
    assertThat(storeRevision()).isEqualTo(before);
  }

  @Test
  void deleteReturnsTheObjectAndRespectsResourceVersion() {
    IPPool v1 = client.create(pool("a", "10.0.0.0/16"));
    IPPool v2 = client.update(IPPool.of("a", v1.spec().withNatOutgoing(true)));

    assertThatThrownBy(() -> client.delete(Kind.IP_POOL, "a", v1.metadata().resourceVersion()))
        .isInstanceOf(DatastoreException.Conflict.class);
    IPPool deleted = client.delete(Kind.IP_POOL, "a", v2.metadata().resourceVersion());
    assertThat(deleted).isEqualTo(v2);
    assertThat(client.find(Kind.IP_POOL, "a")).isEmpty();
    assertThatThrownBy(() -> client.get(Kind.IP_POOL, "a"))
        .isInstanceOf(DatastoreException.NotFound.class)
        .hasMessageContaining("IPPool \"a\" not found");
    assertThatThrownBy(() -> client.delete(Kind.IP_POOL, "a"))
        .isInstanceOf(DatastoreException.NotFound.class);
  }

  @Test
  void listFiltersByLabelSelector() {
    client.create(new Node(ObjectMeta.named("n1", Map.of("rr", "true")), nodeSpec("10.0.0.1/24")));
    client.create(new Node(ObjectMeta.named("n2"), nodeSpec("10.0.0.2/24")));
    client.create(new Node(ObjectMeta.named("n3", Map.of("rr", "true")), nodeSpec("10.0.0.3/24")));

    assertThat(client.list(Kind.NODE)).extracting(Resource::name).containsExactly("n1", "n2", "n3");
    assertThat(client.list(Kind.NODE, Selector.parse("has(rr)")))
        .extracting(Resource::name)
        .containsExactly("n1", "n3");
    assertThat(client.list(Kind.BGP_PEER)).isEmpty();
  }

  private static NodeSpec nodeSpec(String ipv4) {
    return NodeSpec.bgp(new NodeBGPSpec(ipv4, null, null, null));
  }

  @Test
  @Timeout(10)
  void watchDeliversTypedEventsInOrder() throws InterruptedException {
    ResourceList<BGPPeer> start = client.listWithRevision(Kind.BGP_PEER);
    BlockingQueue<ResourceEvent<BGPPeer>> events = new LinkedBlockingQueue<>();
    try (Watch w = client.watch(Kind.BGP_PEER, start.revision(), events::add)) {
      BGPPeer created = client.create(BGPPeer.of("tor", BGPPeerSpec.global("10.0.0.1", 65001)));
      client.create(pool("unrelated", "10.0.0.0/16"));
      BGPPeer updated = client.update(BGPPeer.of("tor", BGPPeerSpec.global("10.0.0.2", 65001)));
      client.delete(Kind.BGP_PEER, "tor");

      ResourceEvent<BGPPeer> e1 = events.poll(5, TimeUnit.SECONDS);
      ResourceEvent<BGPPeer> e2 = events.poll(5, TimeUnit.SECONDS);
      ResourceEvent<BGPPeer> e3 = events.poll(5, TimeUnit.SECONDS);
      assertThat(e1).isEqualTo(new ResourceEvent.Put<>(created, true, rev(created)));
      assertThat(e2).isEqualTo(new ResourceEvent.Put<>(updated, false, rev(updated)));
      assertThat(e3)
          .isInstanceOfSatisfying(
              ResourceEvent.Deleted.class,
              d -> {
                assertThat(d.name()).isEqualTo("tor");
                assertThat(d.revision()).isGreaterThan(rev(updated));
              });
    }
  }

  @Test
  @Timeout(10)
  void watchReportsUndecodableValuesAndGoesOn() throws InterruptedException {
    BlockingQueue<ResourceEvent<Node>> events = new LinkedBlockingQueue<>();
    try (Watch w = client.watch(Kind.NODE, 0, events::add)) {
      store.create(new Key("Node", "broken"), "{not json".getBytes(StandardCharsets.UTF_8)).join();
      client.create(Node.of("ok", nodeSpec("10.0.0.1/24")));

      assertThat(events.poll(5, TimeUnit.SECONDS))
          .isInstanceOfSatisfying(
              ResourceEvent.Undecodable.class, u -> assertThat(u.name()).isEqualTo("broken"));
      assertThat(events.poll(5, TimeUnit.SECONDS)).isInstanceOf(ResourceEvent.Put.class);
    }
  }

  private static long rev(Resource r) {
    return Long.parseLong(r.metadata().resourceVersion());
  }

  @Test
  void applyAllWritesNothingWhenAnyObjectIsInvalid() {
    List<Resource> batch =
        List.of(
            pool("a", "10.0.0.0/16"),
            BGPPeer.of("tor", BGPPeerSpec.global("10.0.0.1", 65001)),
            pool("bad", "10.1.0.0/16").withMetadata(ObjectMeta.named("Bad_Name")));

    assertThatThrownBy(() -> client.applyAll(batch))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("IPPool \"Bad_Name\": metadata.name \"Bad_Name\"");
    assertThat(storeRevision()).isZero();
  }

  @Test
  void namelessObjectsAreValidationErrorsNotCrashes() {
    List<Resource> batch =
        List.of(
            new IPPool(ObjectMeta.named(""), IPPoolSpec.of("10.0.0.0/16")),
            pool("a", "10.1.0.0/16"));
    assertThatThrownBy(() -> client.applyAll(batch))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("IPPool \"\": metadata.name \"\" is required");
    assertThatThrownBy(
            () -> client.create(new IPPool(ObjectMeta.named(null), IPPoolSpec.of("10.0.0.0/16"))))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("metadata.name \"<none>\" is required");
    assertThat(storeRevision()).isZero();
  }

  @Test
  void applyAllRejectsPoolsThatOverlapEachOtherWithinTheBatch() {
    List<Resource> batch = List.of(pool("a", "10.0.0.0/16"), pool("b", "10.0.0.0/24"));
    assertThatThrownBy(() -> client.applyAll(batch))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining(
            "IPPool \"b\": spec.cidr \"10.0.0.0/24\" must not overlap IPPool \"a\"");
    assertThat(storeRevision()).isZero();
  }

  @Test
  void anOverlapBetweenANewPoolAndAStoredOneInTheSameBatchIsReportedOnce() {
    // The batch re-applies stored pool "a" after a new pool "b" inside it: b against stored a and
    // a against b are one conflict, and a user should read it once.
    client.create(pool("a", "10.0.0.0/16"));
    List<Resource> batch = List.of(pool("b", "10.0.128.0/17"), pool("a", "10.0.0.0/16"));

    for (boolean apply : new boolean[] {true, false}) {
      assertThat(client.check(batch, apply))
          .extracting(v -> v.kind() + "/" + v.name() + " " + v.field() + " " + v.rule())
          .containsExactly("IPPool/b spec.cidr must not overlap IPPool \"a\" (10.0.0.0/16)");
    }
  }

  @Test
  void applyAllReportsEveryInvalidObjectAndDuplicates() {
    List<Resource> batch =
        List.of(
            pool("a", "10.0.0.1/16"),
            BGPPeer.of("tor", BGPPeerSpec.global("10.0.0.1", 0)),
            pool("c", "10.5.0.0/16"),
            pool("c", "10.6.0.0/16"));
    assertThat(client.check(batch, true))
        .extracting(v -> v.kind() + "/" + v.name() + " " + v.field())
        .containsExactly(
            "IPPool/a spec.cidr", "BGPPeer/tor spec.asNumber", "IPPool/c metadata.name");
  }

  @Test
  void applyAllCreatesAndUpdatesInOrder() {
    client.create(pool("a", "10.0.0.0/16"));
    List<Applied<Resource>> out =
        client.applyAll(
            List.of(
                pool("a", "10.0.0.0/16"),
                IPPool.of("b", IPPoolSpec.of("10.1.0.0/16").withNatOutgoing(true)),
                BGPConfiguration.of("default", BGPConfigurationSpec.empty().withAsNumber(65000L))));
    assertThat(out)
        .extracting(Applied::outcome)
        .containsExactly(
            Applied.Outcome.UNCHANGED, Applied.Outcome.CREATED, Applied.Outcome.CREATED);
    assertThat(client.list(Kind.IP_POOL)).hasSize(2);
  }

  @Test
  void applyAllAllowsReplacingAPoolWithTheSameCidr() {
    client.create(pool("a", "10.0.0.0/16"));
    List<Applied<Resource>> out =
        client.applyAll(List.of(IPPool.of("a", IPPoolSpec.of("10.0.0.0/16").withDisabled(true))));
    assertThat(out.getFirst().outcome()).isEqualTo(Applied.Outcome.UPDATED);
  }

  @Test
  void createAllWritesNothingWhenAnyObjectExists() {
    client.create(pool("b", "10.1.0.0/16"));
    long before = storeRevision();
    assertThatThrownBy(
            () -> client.createAll(List.of(pool("a", "10.0.0.0/16"), pool("b", "10.1.0.0/16"))))
        .isInstanceOf(DatastoreException.AlreadyExists.class)
        .hasMessageContaining("IPPool \"b\" already exists");
    assertThat(storeRevision()).isEqualTo(before);
  }

  @Test
  void absentConfigurationsAreNotFoundButHaveEffectiveDefaults() {
    assertThatThrownBy(() -> client.get(Kind.BGP_CONFIGURATION, "default"))
        .isInstanceOf(DatastoreException.NotFound.class);
    assertThatThrownBy(() -> client.get(Kind.IPAM_CONFIG, "default"))
        .isInstanceOf(DatastoreException.NotFound.class);

    BGPConfigurationSpec bgp = client.effectiveBgpConfiguration();
    assertThat(bgp.asNumber()).isEqualTo(BGPConfigurationSpec.DEFAULT_AS_NUMBER).isEqualTo(64512);
    assertThat(bgp.nodeToNodeMeshEnabled()).isTrue();
    assertThat(bgp.listenPort()).isEqualTo(179);
    assertThat(client.effectiveIpamConfig()).isEqualTo(new IPAMConfigSpec(false, true, 0));
  }

  @Test
  void effectiveConfigurationsMergeStoredValuesOverDefaults() {
    client.create(
        BGPConfiguration.of(
            "default",
            BGPConfigurationSpec.empty().withAsNumber(65000L).withNodeToNodeMeshEnabled(false)));
    client.create(
        BGPConfiguration.of("node.n1", BGPConfigurationSpec.empty().withListenPort(1790)));
    client.create(IPAMConfig.of(new IPAMConfigSpec(true, null, 8)));

    BGPConfigurationSpec cluster = client.effectiveBgpConfiguration();
    assertThat(cluster.asNumber()).isEqualTo(65000);
    assertThat(cluster.nodeToNodeMeshEnabled()).isFalse();
    assertThat(cluster.listenPort()).isEqualTo(179);
    BGPConfigurationSpec n1 = client.effectiveBgpConfiguration("n1");
    assertThat(n1.listenPort()).isEqualTo(1790);
    assertThat(n1.asNumber()).isEqualTo(65000);
    assertThat(client.effectiveBgpConfiguration("n2").listenPort()).isEqualTo(179);
    assertThat(client.effectiveIpamConfig()).isEqualTo(new IPAMConfigSpec(true, true, 8));
  }

  @Test
  void ipamConfigOnlyAcceptsTheNameDefault() {
    assertThatThrownBy(
            () ->
                client.create(new IPAMConfig(ObjectMeta.named("mine"), IPAMConfigSpec.defaults())))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("metadata.name \"mine\" must be 'default'");
  }

  @Test
  void unavailableStoreSurfacesAsUnavailable() {
    store.close();
    assertThatThrownBy(() -> client.list(Kind.IP_POOL))
        .isInstanceOf(DatastoreException.Unavailable.class);
  }

  /** Runs an action just before the next write reaches the real store, to stage a race. */
  @Test
  void replacePoolWithATakenChildNameWritesNothingEvenOneWriteAtATime() {
    // The Kubernetes backend commits one write at a time: the parent's deletion would come before
    // the child whose name is taken fails, leaving neither. Both kinds of store keep the parent.
    for (boolean oneByOne : new boolean[] {false, true}) {
      MemoryDatastore memory = new MemoryDatastore();
      Datastore backend =
          !oneByOne
              ? memory
              : new ForwardingDatastore(memory) {
                @Override
                public int maxOpsPerCommit() {
                  return 1;
                }
              };
      ResourceClient c = new ResourceClient(backend, codec, CLOCK, Duration.ofSeconds(10));
      c.create(pool("p", "10.0.0.0/16"));
      c.create(pool("taken", "10.9.0.0/16"));
      IPPool parent = c.get(Kind.IP_POOL, "p");
      List<IPPool> children =
          List.of(pool("half-a", "10.0.0.0/17"), pool("taken", "10.0.128.0/17"));

      assertThatThrownBy(() -> c.replacePool(parent, children))
          .as("one write per commit: %s", oneByOne)
          .isInstanceOf(DatastoreException.AlreadyExists.class)
          .hasMessageContaining("\"taken\"");
      assertThat(c.list(Kind.IP_POOL))
          .as("one write per commit: %s", oneByOne)
          .extracting(IPPool::name)
          .containsExactlyInAnyOrder("p", "taken");
    }
  }

  private static final class InterferingDatastore extends ForwardingDatastore {
    Runnable beforeNextWrite;

    InterferingDatastore(Datastore delegate) {
      super(delegate);
    }

    private void interfere() {
      Runnable r = beforeNextWrite;
      beforeNextWrite = null;
      if (r != null) r.run();
    }

    @Override
    public CompletableFuture<Entry> create(Key key, byte[] value) {
      interfere();
      return inner.create(key, value);
    }

    @Override
    public CompletableFuture<Entry> update(Key key, byte[] value, long expectedRevision) {
      interfere();
      return inner.update(key, value, expectedRevision);
    }

    @Override
    public CompletableFuture<List<Long>> commit(List<Write> writes) {
      interfere();
      return inner.commit(writes);
    }

    @Override
    public String address() {
      return "interfering(" + inner.address() + ")";
    }

    @Override
    public void close() {}
  }
}
