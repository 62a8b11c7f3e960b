package dev.netctl.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.model.Cidr;
import org.junit.jupiter.api.Test;

class RouteGetTest {

  @Test
  void theSourceIsReadFromTheKernelsAnswerInEitherFamily() {
    assertThat(
            RouteGet.source(
                "10.80.9.9 via 10.80.0.254 dev eth0 src 10.80.0.1 uid 0 \n    cache \n"))
        .isEqualTo(Cidr.parseAddress("10.80.0.1"));
    assertThat(RouteGet.source("fd00::9 from :: dev eth0 proto kernel src fd00::1 metric 256\n"))
        .isEqualTo(Cidr.parseAddress("fd00::1"));
    assertThat(RouteGet.source("unreachable 10.80.9.9 uid 0\n")).isNull();
  }

  @Test
  void theRealKernelAnswersForLoopback() {
    // Read only: `ip route get` asks the kernel and changes nothing.
    assertThat(RouteGet.source(Cidr.parseAddress("127.0.0.1")))
        .isEqualTo(Cidr.parseAddress("127.0.0.1"));
  }
}
