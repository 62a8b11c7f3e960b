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

    // The installed executable runs as a runtime would run it, and answers VERSION by itself.
    Process p =
        new ProcessBuilder(bin.resolve("netctl").toString()).redirectErrorStream(true).start();
    p.getOutputStream().write("{\"cniVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    // Without CNI_COMMAND the plugin answers with the spec's code 4.
    assertThat(out).contains("\"code\":4");
  }

  @Test
  void badOptionsAreRefusedAndNothingIsWritten() {
    Cli.Run r = install("--mtu", "20");
    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("--mtu 20", "68-65535");
    assertThat(dir.resolve("bin")).doesNotExist();
  }
}
