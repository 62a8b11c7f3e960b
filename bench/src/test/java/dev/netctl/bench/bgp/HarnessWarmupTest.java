package dev.netctl.bench.bgp;

import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class HarnessWarmupTest {
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void feedsEveryWarmUpPrefixThroughTheFramingAndScannerAndCountsIt() {
    // run() throws when a round's tally misses a prefix: framing or scanning went wrong.
    assertThatCode(HarnessWarmup::run).doesNotThrowAnyException();
  }
}
