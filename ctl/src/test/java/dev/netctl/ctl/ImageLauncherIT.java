package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/image's launcher on deploy/image's runtime, without a container engine (none installs on
 * the development machines): the Dockerfile's steps that write under {@code /opt} — the jlink'd
 * runtime and its base archives, the files it copies, the short commands' archive — are run here
 * with {@code /opt} moved into a temp dir, the launcher's paths with it. What is checked is what
 * only the built image shows: that a short command maps the archive recorded for it, that the node
 * agent and the controller get the server profile and {@code --max-memory}, and that their JVM
 * (with compact object headers) finds a base archive in the jlink'd runtime.
 */
@Timeout(600)
class ImageLauncherIT {
  private static final Path REPO = Path.of("").toAbsolutePath().getParent();

  @TempDir static Path image;

  record Run(int exitCode, String out, String err) {}

  /** Plays the Dockerfile's RUN and COPY instructions that write under /opt, in order. */
  @BeforeAll
  static void buildTheImagesOpt() throws Exception {
    String root = image.toString();
    for (String step : instructions(Files.readString(REPO.resolve("deploy/image/Dockerfile")))) {
      if (step.startsWith("RUN ") && step.contains("/opt/")) {
        Run run = bash(step.substring(4).replace("/opt/", root + "/opt/"));
        assertThat(run.exitCode()).as("%s%n%s", step, run).isZero();
      } else if (step.startsWith("COPY ") && !step.startsWith("COPY --from")) {
        String[] words = step.split("\\s+");
        Path from = REPO.resolve(words[1]);
        Path to = Path.of(root + words[2]);
        Files.createDirectories(to.getParent());
        if (from.toString().endsWith(".jar")) {
          Files.copy(from, to);
        } else {
          // A script of the image names /opt by absolute path: moved with the rest.
          Files.writeString(to, Files.readString(from).replace("/opt/", root + "/opt/"));
          to.toFile().setExecutable(from.toFile().canExecute());
        }
      }
    }
  }

  /** The Dockerfile's instructions, continuation lines joined and comments dropped. */
  private static List<String> instructions(String dockerfile) {
    List<String> steps = new ArrayList<>();
    StringBuilder step = new StringBuilder();
    for (String line : dockerfile.lines().toList()) {
      if (line.isBlank() || line.stripLeading().startsWith("#")) continue;
      if (line.endsWith("\\")) {
        step.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      steps.add(step.append(line).toString().strip());
      step.setLength(0);
    }
    return steps;
  }

  private static Run bash(String script) throws IOException, InterruptedException {
    return run(List.of("bash", "-c", script), "");
  }

  private static Run netctl(String javaOpts, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(image + "/usr/local/bin/netctl"));
    cmd.addAll(List.of(args));
    return run(cmd, javaOpts);
  }

  private static Run run(List<String> cmd, String javaOpts)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    // jlink as the eclipse-temurin stage has it: the JDK 25 this test runs on.
    pb.environment()
        .put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
    pb.environment().put("NETCTL_JAVA_OPTS", javaOpts);
    pb.environment().put("NETCTL_DATASTORE", "memory");
    Path out = Files.createTempFile(image, "out", ".txt");
    Path err = Files.createTempFile(image, "err", ".txt");
    pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(240, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " did not finish in 240 s");
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void aShortCommandMapsTheArchiveRecordedForIt() throws Exception {
    // -Xshare:on: the JVM fails rather than run without the archive (options that differ from the
    // recording's, or no archive at all).
    Run version = netctl("-Xshare:on", "version");
    assertThat(version.exitCode()).as(version.toString()).isZero();
    assertThat(version.out()).startsWith("Client Version:");
    assertThat(version.err()).isEmpty();

    Run flags = netctl("-XX:+PrintCommandLineFlags", "version");
    assertThat(flags.out())
        .contains("-XX:SharedArchiveFile=" + image + "/opt/netctl/netctl.jsa")
        .contains("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:+UseCompactObjectHeaders")
        .doesNotContain("-XX:NewSize=");
  }

  @Test
  void theNodeAgentAndTheControllerGetTheServerProfileAndMaxMemory() throws Exception {
    // The options are refused after the JVM printed its flags; -Xshare:on: the jlink'd runtime
    // has a base archive for a JVM with compact object headers.
    Run node =
        netctl(
            "-Xshare:on -XX:+PrintCommandLineFlags",
            "node",
            "run",
            "--max-memory",
            "256m",
            "--resync-interval",
            "0");
    assertThat(node.exitCode()).as(node.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(node.err()).contains("--resync-interval 0").doesNotContain("warning: --max-memory");
    assertThat(node.out())
        .contains("-XX:+UseSerialGC", "-XX:+UseCompactObjectHeaders", "-XX:NewSize=6291456")
        .contains("-XX:CompileThresholdScaling=0.5")
        .contains("-XX:MaxHeapSize=201326592", "-XX:MaxDirectMemorySize=50331648")
        .doesNotContain("SharedArchiveFile");

    Run controller =
        netctl(
            "-Xshare:on -XX:+PrintCommandLineFlags",
            "controller",
            "run",
            "--max-memory=1g",
            "--lease-duration",
            "2s",
            "--renew-deadline",
            "5s");
    assertThat(controller.exitCode()).as(controller.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(controller.err()).contains("controller run: ");
    assertThat(controller.out())
        .contains(
            "-XX:+UseSerialGC", "-XX:CompileThresholdScaling=0.5", "-XX:MaxHeapSize=1006632960");

    Run bad = netctl("", "controller", "run", "--max-memory=lots");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--max-memory \"lots\" is not a size");
    assertThat(bad.out()).isEmpty();
  }

  @Test
  void onANodeWithMuchMemoryBothProfilesStillMapTheirArchives() throws Exception {
    // 512 GiB: the JVM's default maximum heap (a quarter) would be past what compressed oops
    // address, and a JVM without them maps neither the archive recorded at build time nor the
    // runtime's base archive for compact object headers.
    Run version = netctl("-XX:MaxRAM=512g -Xshare:on", "version");
    assertThat(version.exitCode()).as(version.toString()).isZero();
    Run node = netctl("-XX:MaxRAM=512g -Xshare:on", "node", "run", "--resync-interval", "0");
    assertThat(node.exitCode()).as(node.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(node.err()).contains("--resync-interval 0");
  }
}
