package dev.netctl.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecTest {
  private static final Duration LIMIT = Duration.ofSeconds(10);

  @Test
  void passesInputAndEnvironmentAndKeepsTheStreamsApart() {
    Exec.Result r =
        Exec.run(
            LIMIT,
            Map.of("GREETING", "hello"),
            "from stdin\n",
            List.of("sh", "-c", "cat; echo \"$GREETING\"; echo oops >&2; exit 3"));
    assertThat(r.completed()).isTrue();
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.stdout()).isEqualTo("from stdin\nhello\n");
    assertThat(r.stderr()).isEqualTo("oops\n");
    assertThat(r.output()).as("stdout wins when there is one").isEqualTo(r.stdout());
  }

  @Test
  void aFailureWithoutStdoutShowsItsStderr() {
    Exec.Result r = Exec.run(LIMIT, List.of("sh", "-c", "echo broken >&2; exit 1"));
    assertThat(r.ok()).isFalse();
    assertThat(r.output()).isEqualTo("broken\n");
  }

  @Test
  void aCommandThatCannotStartSaysSoWithoutThrowing() {
    Exec.Result r = Exec.run(LIMIT, List.of("/nonexistent/netctl-no-such-tool"));
    assertThat(r.completed()).isFalse();
    assertThat(r.exit()).isEqualTo(Exec.NOT_STARTED);
    assertThat(r.abort()).contains("cannot run /nonexistent/netctl-no-such-tool");
  }

  @Test
  void aCommandPastItsLimitIsKilled() {
    long start = System.nanoTime();
    Exec.Result r = Exec.run(Duration.ofMillis(300), List.of("sleep", "30"));
    assertThat(r.completed()).isFalse();
    assertThat(r.exit()).isEqualTo(Exec.TIMED_OUT);
    assertThat(r.abort()).contains("sleep 30 did not finish");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void outputLargerThanAPipeBufferDoesNotBlockTheCommand() {
    Exec.Result r = Exec.run(LIMIT, List.of("sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x"));
    assertThat(r.ok()).isTrue();
    assertThat(r.stdout()).hasSize(1_000_000);
  }
}
