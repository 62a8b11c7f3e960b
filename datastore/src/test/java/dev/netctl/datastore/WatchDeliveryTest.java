package dev.netctl.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WatchDeliveryTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static WatchEvent put(long rev) {
    return new WatchEvent.Put(new Entry(new Key("K", "n" + rev), new byte[0], rev), true);
  }

  @Test
  void deliversInOfferOrderOnOneThreadAtATime() {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    EventRecorder rec = new EventRecorder();
    WatchDelivery d =
        new WatchDelivery(
            "test",
            e -> {
              if (inside.incrementAndGet() > 1) overlaps.incrementAndGet();
              rec.accept(e);
              inside.decrementAndGet();
            },
            () -> {});
    for (long r = 1; r <= 200; r++) d.offer(put(r));
    List<WatchEvent> events = rec.awaitCount(200, WAIT);
    for (int i = 0; i < 200; i++) assertThat(events.get(i).revision()).isEqualTo(i + 1);
    assertThat(overlaps).hasValue(0);
    d.close();
  }

  @Test
  void closeWaitsForTheListenerInProgressAndNothingIsDeliveredAfter() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    EventRecorder rec = new EventRecorder();
    AtomicInteger unregistered = new AtomicInteger();
    WatchDelivery d =
        new WatchDelivery(
            "test",
            e -> {
              if (e.revision() == 1) {
                entered.countDown();
                try {
                  release.await();
                } catch (InterruptedException ex) {
                  Thread.currentThread().interrupt();
                }
              }
              rec.accept(e);
            },
            unregistered::incrementAndGet);
    d.offer(put(1));
    d.offer(put(2));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    Thread closer = Thread.ofPlatform().start(d::close);
    closer.join(200);
    assertThat(closer.isAlive()).as("close waits for the listener call in progress").isTrue();
    release.countDown();
    closer.join(10_000);
    assertThat(closer.isAlive()).isFalse();
    assertThat(rec.events()).containsExactly(put(1));
    assertThat(d.offer(put(3))).isFalse();
    d.close();
    assertThat(unregistered).hasValue(1);
  }

  @Test
  void resyncNeededIsTheLastEventAndUnregistersTheWatch() {
    EventRecorder rec = new EventRecorder();
    AtomicInteger unregistered = new AtomicInteger();
    WatchDelivery d = new WatchDelivery("test", rec, unregistered::incrementAndGet);
    d.offer(put(1));
    WatchEvent resync = new WatchEvent.ResyncNeeded(5, "trimmed");
    assertThat(d.offer(resync)).isTrue();
    assertThat(d.offer(put(6))).isFalse();
    assertThat(d.isEnded()).isTrue();
    assertThat(rec.awaitCount(2, WAIT)).containsExactly(put(1), resync);
    assertThat(unregistered).hasValue(1);
  }

  @Test
  void aThrowingListenerDoesNotEndTheWatch() {
    EventRecorder rec = new EventRecorder();
    WatchDelivery d =
        new WatchDelivery(
            "test",
            e -> {
              if (e.revision() == 1) throw new IllegalStateException("listener bug");
              rec.accept(e);
            },
            () -> {});
    d.offer(put(1));
    d.offer(put(2));
    assertThat(rec.awaitCount(1, WAIT)).containsExactly(put(2));
    d.close();
  }

  @Test
  void aListenerMayCloseItsOwnWatch() {
    EventRecorder rec = new EventRecorder();
    WatchDelivery[] self = new WatchDelivery[1];
    self[0] =
        new WatchDelivery(
            "test",
            e -> {
              // Close first: once the recorder has the event the close has returned, so the
              // checks below do not race the listener thread.
              self[0].close();
              rec.accept(e);
            },
            () -> {});
    self[0].offer(put(1));
    self[0].offer(put(2));
    rec.awaitCount(1, WAIT);
    assertThat(self[0].isEnded()).isTrue();
    assertThat(self[0].offer(put(3))).isFalse();
    assertThat(rec.events()).containsExactly(put(1));
  }
}
