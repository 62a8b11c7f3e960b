package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --max-memory} on each long-running verb, in a JVM not started by a launcher: each command
 * line below fails on another of its options right after the cap is checked, before a store, a
 * config file or the kernel is touched.
 */
class MaxMemoryOptionTest {
  @TempDir static Path dir;

  static Stream<Arguments> verbs() {
    return Stream.of(
        Arguments.of(
            List.of("bgp", "run", "--config", dir.resolve("absent.yaml").toString()),
            ExitCode.INVALID,
            "cannot read"),
        Arguments.of(
            List.of("node", "run", "--resync-interval", "0"),
            ExitCode.USAGE,
            "--resync-interval 0"),
        Arguments.of(
            List.of("controller", "run", "--lease-duration", "2s", "--renew-deadline", "5s"),
            ExitCode.USAGE,
            "controller run: "));
  }

  private static Cli.Run run(List<String> verb, String... more) {
    List<String> args = new ArrayList<>(List.of("--datastore", "memory"));
    args.addAll(verb);
    args.addAll(List.of(more));
    return Cli.raw("", args.toArray(String[]::new));
  }

  @ParameterizedTest
  @MethodSource("verbs")
  void aSizeThatIsNotOneIsAUsageErrorBeforeAnythingElse(
      List<String> verb, int laterExit, String laterError) {
    Cli.Run run = run(verb, "--max-memory", "12x");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err())
        .contains("--max-memory \"12x\" is not a size: use a number with k, m or g")
        .doesNotContain(laterError);
  }

  @ParameterizedTest
  @MethodSource("verbs")
  void aCapTheJvmWasNotStartedWithIsReportedWithTheRealLimit(
      List<String> verb, int laterExit, String laterError) {
    Cli.Run run = run(verb, "--max-memory=256m");
    // Not started by a launcher (no netctl.maxMemory property): said so, then the run goes on.
    assertThat(run.err())
        .contains(
            "warning: --max-memory 256m takes effect only through the netctl launcher; this"
                + " JVM's heap limit is "
                + (Runtime.getRuntime().maxMemory() >> 20)
                + " MiB")
        .contains(laterError);
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(laterExit);
  }

  @ParameterizedTest
  @MethodSource("verbs")
  void aCapTheLauncherAppliedIsNotWarnedAbout(List<String> verb, int laterExit, String laterError) {
    String before = System.getProperty("netctl.maxMemory");
    System.setProperty("netctl.maxMemory", "256m");
    try {
      Cli.Run run = run(verb, "--max-memory", "256m");
      assertThat(run.err()).doesNotContain("warning: --max-memory").contains(laterError);
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(laterExit);
    } finally {
      if (before == null) System.clearProperty("netctl.maxMemory");
      else System.setProperty("netctl.maxMemory", before);
    }
  }
}
