package dev.netctl.bgp.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.bgp.session.Transport;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SessionPathWarmupTest {
  @Test
  void aTableIsChurnedThroughAPrivateReflectorOnLoopbackAndNothingOfItStaysRunning()
      throws InterruptedException {
    Set<String> before = threadNames();
    // True only once the receiving client counted every pass: the announcement, each churn's
    // re-announcement (by its MED) and the final withdrawal of every prefix.
    assertThat(SessionPathWarmup.run(Transport.best(), 1_500)).isTrue();
    assertThat(SessionPathWarmup.run(Transport.nio(), 25)).isTrue();
    // The reader, the RIB's shards and the speaker's event loop end with it (bounded wait: Netty
    // lets a closed group's threads go shortly after).
    Set<String> left = Set.of();
    for (int i = 0; i < 100; i++) {
      left = threadNames();
      left.removeAll(before);
      left.removeIf(n -> n.startsWith("globalEventExecutor"));
      if (left.isEmpty()) {
        break;
      }
      Thread.sleep(50);
    }
    assertThat(left).isEmpty();
  }

  private static Set<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .collect(Collectors.toSet());
  }
}
