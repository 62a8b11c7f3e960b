package dev.netctl.bench.bgp;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A three-client setup and a way to run a daemon's own config checker on a rendered config. */
final class DutConfigFixture {
  private DutConfigFixture() {}

  static DutSetup setup(Path dir) throws IOException {
    return new DutSetup(
        (Inet4Address) InetAddress.getByName("127.0.3.1"),
        18300,
        65000,
        List.of(
            ScenarioRunner.testerAddress(0),
            ScenarioRunner.testerAddress(1),
            ScenarioRunner.testerAddress(2)),
        1000,
        dir);
  }

  /**
   * Runs {@code command} and returns its exit code and output. A missing binary skips the test,
   * except under CI=true where it fails.
   */
  static String check(Path dir, String binary, List<String> command) throws Exception {
    boolean present = Files.isExecutable(Path.of(binary));
    if ("true".equals(System.getenv("CI"))) {
      if (!present) {
        throw new AssertionError(binary + " is missing but CI=true requires it");
      }
    } else {
      assumeTrue(present, binary + " not installed");
    }
    Path out = dir.resolve("check.out");
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish in 30 s");
    }
    return p.exitValue() + ":" + Files.readString(out);
  }
}
