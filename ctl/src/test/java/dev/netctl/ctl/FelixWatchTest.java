package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.ForwardingDatastore;
import dev.netctl.datastore.Listing;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.FelixConfiguration;
import dev.netctl.datastore.model.FelixConfigurationSpec;
import dev.netctl.datastore.model.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's FelixConfiguration watch on a real embedded store, behind a wrapper that can refuse
 * to list the kind (as a Kubernetes API server does before the CRD is installed).
 */
class FelixWatchTest {
  @TempDir Path dir;

  /** Refuses to list FelixConfiguration while {@link #refusing} is set. */
  static final class Refusing extends ForwardingDatastore {
    final AtomicBoolean refusing = new AtomicBoolean(true);
    final AtomicInteger refused = new AtomicInteger();

    Refusing(Datastore inner) {
      super(inner);
    }

    @Override
    public CompletableFuture<Listing> list(String kind, String namePrefix) {
      if (refusing.get() && kind.equals(Kind.FELIX_CONFIGURATION.storageKind())) {
        refused.incrementAndGet();
        String k = Kind.FELIX_CONFIGURATION.storageKind();
        return CompletableFuture.failedFuture(
            new DatastoreException.Unavailable("mock", "no CRD for " + k, null, k));
      }
      return super.list(kind, namePrefix);
    }
  }

  @Test
  void aWatchThatCouldNotStartIsTriedAgainAndThenSeesChanges() throws Exception {
    try (Refusing store = new Refusing(Datastores.open("embedded:" + dir.resolve("s.db"), null))) {
      ResourceClient client = new ResourceClient(store);
      long revision = FelixWatch.revision(store, false);
      assertThat(revision).isEqualTo(-1);
      Duration retry = Duration.ofMillis(300);
      try (FelixWatch watch = new FelixWatch(client, store, "n1", revision, retry)) {
        assertThat(watch.watching()).isFalse();
        store.refusing.set(false);
        watch.renewIfLost();
        assertThat(watch.watching()).as("not before its retry time").isFalse();

        await()
            .atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(50))
            .until(
                () -> {
                  watch.renewIfLost();
                  return watch.watching();
                });
        assertThat(watch.changed.getAndSet(false))
            .as("what was written while unwatched is read again")
            .isTrue();

        client.create(FelixConfiguration.of("node.n2", FelixConfigurationSpec.empty()));
        client.create(FelixConfiguration.of("node.n1", FelixConfigurationSpec.empty()));
        await().atMost(Duration.ofSeconds(5)).until(() -> watch.changed.get());
      }
    }
  }

  @Test
  void aStoreStillRefusingIsTriedAgainAtItsPaceNotEveryWake() throws Exception {
    try (Refusing store = new Refusing(Datastores.open("embedded:" + dir.resolve("s.db"), null))) {
      ResourceClient client = new ResourceClient(store);
      try (FelixWatch watch = new FelixWatch(client, store, "n1", -1, Duration.ofMillis(200))) {
        long deadline = System.nanoTime() + Duration.ofMillis(700).toNanos();
        while (System.nanoTime() < deadline) {
          watch.renewIfLost();
          Thread.sleep(20);
        }
        assertThat(watch.watching()).isFalse();
        assertThat(watch.changed.get()).as("no change without a watch").isFalse();
        assertThat(store.refused.get())
            .as("about 35 wakes in 700 ms, a try every 200 ms")
            .isBetween(1, 4);
      }
    }
  }
}
