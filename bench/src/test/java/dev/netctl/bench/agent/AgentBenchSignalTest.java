package dev.netctl.bench.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench stopped with SIGTERM while its agent runs leaves no namespace, process or file behind.
 * The bench runs as its own JVM, as {@code bench/agent-bench} starts it, with a stand-in for the
 * {@code ./netctl} launcher that only sleeps in the namespace.
 */
@Timeout(120)
class AgentBenchSignalTest {

  private static final Pattern HEADER = Pattern.compile("\\(namespace (\\S+), files in (\\S+)\\)");

  static void assumeRoot() {
    boolean ok =
        "root".equals(System.getProperty("user.name"))
            && Files.isExecutable(Path.of("/usr/sbin/ip"));
    if (!ok && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("the agent bench needs root and /usr/sbin/ip");
    }
    assumeTrue(ok, "the agent bench needs root and ip: skipped");
  }

  @Test
  void sigtermStopsTheAgentAndDeletesTheNamespaceAndFiles(@TempDir Path cwd) throws Exception {
    assumeRoot();
    Path launcher = cwd.resolve("netctl");
    Files.writeString(launcher, "#!/bin/sh\nexec sleep 300\n");
    launcher.toFile().setExecutable(true);
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process bench =
        new ProcessBuilder(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                AgentBench.class.getName(),
                "--blocks",
                "4",
                "--nodes",
                "2",
                "--changes",
                "1")
            .directory(cwd.toFile())
            .redirectErrorStream(true)
            .start();
    String ns = null;
    Path dir = null;
    List<ProcessHandle> agent = List.of();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(bench.getInputStream(), StandardCharsets.UTF_8));
      for (String line; ns == null && (line = out.readLine()) != null; ) {
        Matcher m = HEADER.matcher(line);
        if (m.find()) {
          ns = m.group(1);
          dir = Path.of(m.group(2));
        }
      }
      assertThat(ns).as("the bench names its namespace").isNotNull();
      // The stand-in agent runs once its namespace does: the bench waits for its first apply.
      for (int i = 0; i < 300 && agent.isEmpty(); i++) {
        Thread.sleep(100);
        agent =
            bench
                .descendants()
                .filter(p -> p.info().command().orElse("").endsWith("sleep"))
                .toList();
      }
      assertThat(agent).as("the stand-in agent started").hasSize(1);
      assertThat(netns()).contains(ns);

      bench.destroy(); // SIGTERM
      assertThat(bench.waitFor(60, TimeUnit.SECONDS)).isTrue();

      assertThat(agent.getFirst().isAlive()).as("the agent was stopped").isFalse();
      assertThat(netns()).doesNotContain(ns);
      assertThat(dir).doesNotExist();
    } finally {
      // What a failed check may have left: the bench, its stand-in agent, the namespace.
      bench.destroyForcibly();
      agent.forEach(ProcessHandle::destroyForcibly);
      if (ns != null) new ProcessBuilder("ip", "netns", "del", ns).start().waitFor();
    }
  }

  private static String netns() throws Exception {
    Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    return out;
  }
}
