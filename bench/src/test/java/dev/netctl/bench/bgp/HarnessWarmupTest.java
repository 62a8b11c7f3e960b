package dev.netctl.bench.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
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

  /**
   * The socket warm-up's stand-in DUT opens the testers' sessions and passes the injector's UPDATEs
   * to the monitor: a churn through it completes like one through a real speaker.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aChurnThroughTheHarnessReflectorConverges() throws Exception {
    Inet4Address at = (Inet4Address) InetAddress.getByName("127.0.3.201");
    ScenarioRunner runner = new ScenarioRunner(at, Duration.ofSeconds(30), 2);
    Result r = runner.run(ReflectorDut::new, Scenario.CHURN, 2, 0, 0);
    assertThat(r.ok()).as(r.error()).isTrue();
    assertThat(r.convergeSeconds()).isPositive();
    assertThatCode(() -> HarnessWarmup.throughSockets(runner)).doesNotThrowAnyException();
  }
}
