package dev.netctl.agent.syncer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.Key;
import dev.netctl.datastore.memory.MemoryDatastore;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One kind's cache across a relist, read while the relist is under way. */
@Timeout(30)
class KindFeedTest {
  private static final String KIND = "things";

  @Test
  void aReaderDuringARelistSeesEveryLiveItem() throws Exception {
    SyncerTest.GappyStore store = new SyncerTest.GappyStore(new MemoryDatastore());
    for (String name : new String[] {"a", "b", "c"}) {
      store.create(new Key(KIND, name), name.getBytes(StandardCharsets.UTF_8)).get();
    }
    // Once armed, decoding "b" (the second of the listing, in name order) stops the relist there
    // until the test has read the cache: "a" is decoded again, "b" and "c" not yet.
    CountDownLatch midway = new CountDownLatch(1);
    CountDownLatch read = new CountDownLatch(1);
    Semaphore relisted = new Semaphore(0);
    AtomicBoolean armed = new AtomicBoolean();
    KindFeed.Decoder<String> decoder =
        e -> {
          if (armed.get() && e.key().name().equals("b")) {
            midway.countDown();
            try {
              read.await();
            } catch (InterruptedException ie) {
              Thread.currentThread().interrupt();
            }
          }
          return new String(e.value(), StandardCharsets.UTF_8);
        };
    try (KindFeed<String> feed =
        new KindFeed<>(
            store,
            KIND,
            decoder,
            (name, deleted) -> {
              if (name == null) relisted.release();
            })) {
      feed.start();
      assertThat(relisted.tryAcquire()).as("the first listing").isTrue();

      armed.set(true);
      store.historyGone(KIND);
      assertThat(midway.await(10, TimeUnit.SECONDS)).as("the relist reached \"b\"").isTrue();
      Map<String, String> during = feed.byName();
      read.countDown();

      assertThat(during).as("live items during the relist").containsOnlyKeys("a", "b", "c");
      assertThat(relisted.tryAcquire(10, TimeUnit.SECONDS)).as("the relist ended").isTrue();
      assertThat(feed.byName()).isEqualTo(Map.of("a", "a", "b", "b", "c", "c"));
    }
  }
}
