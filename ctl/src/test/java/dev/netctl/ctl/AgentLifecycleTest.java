package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the shutdown hook of {@code node run} does at each point of an agent's start. */
@Timeout(30)
class AgentLifecycleTest {
  // Threads of their own: the common pool may have a single thread.
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void shutdown() {
    threads.shutdownNow();
  }

  private CompletableFuture<Void> stopping(AgentLifecycle lifecycle) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            lifecycle.stop();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        },
        threads);
  }

  @Test
  void aStopDuringAStartWaitsForItThenClosesTheAgentAndNoneStartsAfter() throws Exception {
    AgentLifecycle lifecycle = new AgentLifecycle(Duration.ofSeconds(20));
    assertThat(lifecycle.beginStart()).isTrue();
    CompletableFuture<Void> hook = stopping(lifecycle);
    Thread.sleep(300);
    assertThat(hook).as("waits for the agent being started").isNotDone();
    assertThat(lifecycle.stopping()).isTrue();

    AtomicInteger closes = new AtomicInteger();
    assertThat(lifecycle.started(closes::incrementAndGet))
        .as("the starting thread learns that the process stops")
        .isTrue();
    hook.get(5, TimeUnit.SECONDS);
    assertThat(closes).as("the hook closed the agent that started").hasValue(1);
    assertThat(lifecycle.beginStart()).as("no agent starts after the hook").isFalse();
  }

  @Test
  void aStartThatHangsDoesNotKeepTheProcessFromEnding() throws Exception {
    AgentLifecycle lifecycle = new AgentLifecycle(Duration.ofMillis(200));
    AtomicInteger closes = new AtomicInteger();
    lifecycle.beginStart();
    lifecycle.started(closes::incrementAndGet);
    lifecycle.closed(); // that agent closed by its own thread, a restart begins and never ends
    lifecycle.beginStart();
    stopping(lifecycle).get(5, TimeUnit.SECONDS);
    assertThat(closes).as("an agent already closed is not closed again").hasValue(0);
  }

  @Test
  void aStopWhileAnAgentRunsClosesIt() throws Exception {
    AgentLifecycle lifecycle = new AgentLifecycle(Duration.ofSeconds(20));
    AtomicInteger closes = new AtomicInteger();
    lifecycle.beginStart();
    assertThat(lifecycle.started(closes::incrementAndGet)).isFalse();
    stopping(lifecycle).get(5, TimeUnit.SECONDS);
    assertThat(closes).hasValue(1);
  }

  @Test
  void aCloserRunsOnceAndASecondCallerWaitsForTheFirst() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    Runnable once =
        AgentLifecycle.once(
            () -> {
              runs.incrementAndGet();
              inside.countDown();
              try {
                finish.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    CompletableFuture<Void> first = CompletableFuture.runAsync(once, threads);
    assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Void> second = CompletableFuture.runAsync(once, threads);
    Thread.sleep(300);
    assertThat(second).as("returns only once the agent is closed").isNotDone();
    finish.countDown();
    first.get(5, TimeUnit.SECONDS);
    second.get(5, TimeUnit.SECONDS);
    assertThat(runs).hasValue(1);
  }
}
