package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CniInstallCommandTest {

  @TempDir Path dir;

  /** {@code netctl cni install} into {@code dir/bin} and {@code dir/net.d}, plus {@code more}. */
  private Cli.Run install(String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "cni",
                "install",
                "--bin-dir",
                dir.resolve("bin").toString(),
                "--conf-dir",
                dir.resolve("net.d").toString()));
    args.addAll(List.of(more));
    return Cli.raw("", args.toArray(String[]::new));
  }

  @Test
  void installsBothPluginsAndACalicoShapedConflist() throws Exception {
    Path bin = dir.resolve("bin");
    Path conf = dir.resolve("net.d");
    Cli.Run r = install("--node", "node-7", "--agent-socket", "/run/x/cni.sock", "--mtu", "1410");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(Files.isExecutable(bin.resolve("netctl"))).isTrue();
    assertThat(Files.isExecutable(bin.resolve("netctl-ipam"))).isTrue();
    assertThat(bin.resolve("netctl-cni/plugin.jar")).exists();
    String conflist = Files.readString(conf.resolve("10-netctl.conflist"));
    assertThat(conflist)
        .contains(
            "\"name\": \"k8s-pod-network\"",
            "\"cniVersion\": \"1.0.0\"",
            "\"type\": \"netctl\"",
            "\"nodename\": \"node-7\"",
            "\"mtu\": 1410",
            "\"agent_socket\": \"/run/x/cni.sock\"",
            "\"type\": \"netctl-ipam\"",
            "\"type\": \"portmap\"",
            "\"portMappings\": true");
    assertThat(conflist.indexOf("netctl-ipam")).isLessThan(conflist.indexOf("portmap"));

    assertRunsAsAPlugin(bin.resolve("netctl"));
  }

  /**
   * The installed executable runs as a runtime would run it: without CNI_COMMAND the plugin answers
   * by itself with the spec's code 4.
   */
  private static void assertRunsAsAPlugin(Path exe) throws Exception {
    Process p = new ProcessBuilder(exe.toString()).redirectErrorStream(true).start();
    p.getOutputStream().write("{\"cniVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(out).contains("\"code\":4");
  }

  /**
   * What the DaemonSet's install container does: the host that runs the plugins has no Java, so the
   * image's runtime is copied next to them and the launchers name the copy. Here the "runtime" is a
   * directory whose bin/java links to the JDK running the test (copying a whole JDK would cost ~300
   * MB), with a file and a relative link of its own: both must survive the copy as they were.
   */
  @Test
  void copyRuntimePutsAJavaBesideThePluginsAndTheLaunchersRunIt() throws Exception {
    Path home = dir.resolve("runtime");
    Files.createDirectories(home.resolve("bin"));
    Files.createDirectories(home.resolve("legal/java.base"));
    Files.createSymbolicLink(
        home.resolve("bin/java"), Path.of(ProcessHandle.current().info().command().orElseThrow()));
    Files.writeString(home.resolve("legal/java.base/LICENSE"), "license");
    Files.createDirectories(home.resolve("legal/java.net.http"));
    Files.createSymbolicLink(
        home.resolve("legal/java.net.http/LICENSE"), Path.of("../java.base/LICENSE"));
    Path bin = dir.resolve("bin");
    Path copy = bin.resolve("netctl-cni/java");

    for (int round = 0; round < 3; round++) { // upgrades over the first
      Cli.Run r = install("--copy-runtime", home.toString());
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(Files.readString(bin.resolve("netctl")))
          .contains("java='" + copy.resolve("bin/java") + "'");
      assertThat(Files.readSymbolicLink(copy.resolve("legal/java.net.http/LICENSE")))
          .isEqualTo(Path.of("../java.base/LICENSE"));
      assertThat(copy.resolve("legal/java.net.http/LICENSE")).hasContent("license");
      assertThat(Files.isSymbolicLink(copy)).as("java is a link, swapped in one rename").isTrue();
      try (var left = Files.list(copy.getParent())) {
        assertThat(left.map(p -> p.getFileName().toString()).toList())
            .as("no temporary copy or link left; the copy replaced is kept, older ones go")
            .noneMatch(n -> n.startsWith("."))
            .filteredOn(n -> n.startsWith("java-"))
            .hasSize(Math.min(round + 1, 2));
      }
    }
    // The launcher runs on the copy even once the original is gone.
    Files.walk(home).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    assertRunsAsAPlugin(bin.resolve("netctl"));
  }

  @Test
  void aCopyRuntimeThatIsNoJavaHomeIsRefusedAndNothingIsWritten() {
    Cli.Run r = install("--copy-runtime", dir.resolve("nothing").toString());
    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("--copy-runtime", "nothing/bin/java", "not an executable");
    assertThat(dir.resolve("bin")).doesNotExist();
  }

  /**
   * A dual-stack cluster's pods get both families: the conflist asks IPAM for the families the
   * options name (Calico's {@code assign_ipv4}/{@code assign_ipv6}; IPv4 only by default).
   */
  @Test
  void theConflistAsksForTheFamiliesTheOptionsName() throws Exception {
    Path conf = dir.resolve("net.d/10-netctl.conflist");
    assertThat(install().exitCode()).isZero();
    assertThat(Files.readString(conf))
        .contains("\"assign_ipv4\": \"true\", \"assign_ipv6\": \"false\"");
    assertThat(install("--assign-ipv6", "true").exitCode()).isZero();
    assertThat(Files.readString(conf))
        .contains("\"assign_ipv4\": \"true\", \"assign_ipv6\": \"true\"");
    assertThat(install("--assign-ipv4=false", "--assign-ipv6=true").exitCode()).isZero();
    assertThat(Files.readString(conf))
        .contains("\"assign_ipv4\": \"false\", \"assign_ipv6\": \"true\"");
  }

  @Test
  void noFamilyAtAllIsRefusedAndNothingIsWritten() {
    Cli.Run r = install("--assign-ipv4", "false");
    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("--assign-ipv4", "--assign-ipv6", "at least one");
    assertThat(dir.resolve("bin")).doesNotExist();
    assertThat(install("--assign-ipv6", "yes").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(dir.resolve("bin")).doesNotExist();
  }

  @Test
  void badOptionsAreRefusedAndNothingIsWritten() {
    Cli.Run r = install("--mtu", "20");
    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("--mtu 20", "68-65535");
    assertThat(dir.resolve("bin")).doesNotExist();
  }
}
