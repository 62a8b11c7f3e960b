package dev.netctl.agent.syncer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.ForwardingDatastore;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.WatchEvent;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.memory.MemoryDatastore;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.ResourceCodec;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How the syncer reports policy inputs: by key as they change, all of them after a relist. */
@Timeout(30)
class SyncerTest {

  /** A store whose watches can miss events (a gap) and be told that their history is gone. */
  static final class GappyStore extends ForwardingDatastore {
    volatile boolean gap;
    private final Map<String, Consumer<WatchEvent>> listeners = new ConcurrentHashMap<>();

    GappyStore(Datastore inner) {
      super(inner);
    }

    @Override
    public Watch watch(String kind, long afterRevision, Consumer<WatchEvent> listener) {
      listeners.put(kind, listener);
      return super.watch(
          kind,
          afterRevision,
          e -> {
            if (!gap) listener.accept(e);
          });
    }

    void historyGone(String kind) {
      listeners.get(kind).accept(new WatchEvent.ResyncNeeded(0, "compacted (test)"));
    }
  }

  private static final Syncer.PolicyKey TIER = new Syncer.PolicyKey(Kind.TIER.storageKind(), "sec");

  @Test
  void aPolicyInputDeletedInAWatchGapIsGoneAfterTheRelistWhichReportsEveryInput() throws Exception {
    GappyStore store = new GappyStore(new MemoryDatastore());
    ResourceClient client = new ResourceClient(store);
    for (var r :
        new ResourceCodec()
            .read(
                "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: sec}\nspec: {order: 10}\n")) {
      client.create(r);
    }
    try (Syncer syncer = new Syncer(store, () -> {})) {
      syncer.start();
      syncer.drainChanges();
      assertThat(syncer.policyInputs()).containsKey(TIER);

      // The deletion happens while the watch misses events: nothing reports it.
      store.gap = true;
      client.delete(Kind.TIER, "sec");
      assertThat(syncer.drainChanges().policy()).isEmpty();
      assertThat(syncer.policyInput(TIER)).as("not seen yet").isNotNull();

      store.gap = false;
      store.historyGone(Kind.TIER.storageKind());
      await().atMost(Duration.ofSeconds(10)).until(() -> syncer.drainChanges().policyAll());
      assertThat(syncer.policyInputs()).doesNotContainKey(TIER);
      assertThat(syncer.policyInput(TIER)).isNull();
    }
  }

  @Test
  void aRequestedComparisonOfEveryPolicyInputIsReportedOnce() throws Exception {
    try (Syncer syncer = new Syncer(new MemoryDatastore(), () -> {})) {
      syncer.start();
      assertThat(syncer.drainChanges().policyAll()).as("the first listing").isTrue();
      assertThat(syncer.drainChanges().policyAll()).isFalse();

      syncer.requestPolicyAll();
      assertThat(syncer.drainChanges().policyAll()).isTrue();
      assertThat(syncer.drainChanges().policyAll()).isFalse();
    }
  }
}
