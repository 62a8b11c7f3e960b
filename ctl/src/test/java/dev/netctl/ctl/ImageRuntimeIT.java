package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * deploy/image's runtime is {@code jlink --add-modules LIST}: a JDK module the shaded jar uses and
 * LIST lacks is a {@code NoClassDefFoundError} in the container only, never on a development
 * machine's full JDK. The list once lacked {@code jdk.httpserver} (the agent's probes and the
 * controller's metrics), and both components died at start with the image as written.
 */
@Timeout(300)
class ImageRuntimeIT {
  private static final Path DOCKERFILE = Path.of("..", "deploy", "image", "Dockerfile");

  @Test
  void theImagesJlinkedRuntimeHoldsEveryModuleTheJarUses() throws Exception {
    String dockerfile = Files.readString(DOCKERFILE);
    Matcher m = Pattern.compile("--add-modules (\\S+)").matcher(dockerfile);
    assertThat(m.find()).as("jlink --add-modules in " + DOCKERFILE).isTrue();
    Set<String> linked = Set.of(m.group(1).split(","));

    // The command the Dockerfile's comment names, on the JDK this test runs on (25, the image's).
    Path jdeps = Path.of(System.getProperty("java.home"), "bin", "jdeps");
    Path jar = Path.of("target", "netctl.jar");
    assertThat(jar).as("the shaded jar (package phase)").exists();
    List<String> used = List.of(lastLine(jdeps, jar).split(","));
    assertThat(used).as("jdeps output").contains("java.base");
    assertThat(linked)
        .as("modules of %s missing from the image's --add-modules", jar)
        .containsAll(used);
  }

  private static String lastLine(Path jdeps, Path jar) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                jdeps.toString(),
                "--print-module-deps",
                "--ignore-missing-deps",
                "--multi-release",
                "25",
                jar.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(240, TimeUnit.SECONDS)) p.destroyForcibly();
    assertThat(p.exitValue()).as(out).isZero();
    List<String> lines = out.strip().lines().toList();
    return lines.getLast().strip();
  }
}
