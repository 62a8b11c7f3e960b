package dev.netctl.agent.cni;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.agent.exec.Exec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CniInstallerTest {

  private static CniInstaller.Options options(Path dir, Path java) {
    return new CniInstaller.Options(
        dir.resolve("bin"), dir.resolve("net.d"), "n1", "/run/netctl/cni.sock", 0, java);
  }

  @Test
  void theArchiveIsMadeByTheInstallingJdkAndTheLauncherAnswers(@TempDir Path dir) throws Exception {
    CniInstaller.Installed in = CniInstaller.install(options(dir, CniInstaller.currentJava()));

    assertThat(in.archive()).as("training and dump ran to a zero exit").isTrue();
    assertThat(dir.resolve("bin/netctl-cni/plugin.jsa")).isNotEmptyFile();
    assertThat(dir.resolve("bin/netctl-cni")).isDirectoryNotContaining("glob:**/.archive*");
    Exec.Result version =
        Exec.run(
            Duration.ofSeconds(60),
            Map.of("CNI_COMMAND", "VERSION"),
            "{\"cniVersion\": \"1.0.0\"}",
            List.of(dir.resolve("bin/" + CniPlugin.MAIN_TYPE).toString()));
    assertThat(version.ok()).as(version.output()).isTrue();
    assertThat(version.stdout()).contains("\"supportedVersions\"");
  }

  @Test
  void aJdkThatCannotRunLeavesTheLaunchersWithoutAnArchive(@TempDir Path dir) throws Exception {
    CniInstaller.Installed in =
        CniInstaller.install(options(dir, dir.resolve("no-such-jdk/bin/java")));

    assertThat(in.archive()).isFalse();
    assertThat(in.files())
        .containsExactly(
            dir.resolve("bin/netctl-cni/plugin.jar"),
            dir.resolve("bin/" + CniPlugin.MAIN_TYPE),
            dir.resolve("bin/" + CniPlugin.IPAM_TYPE),
            dir.resolve("net.d/" + CniInstaller.CONFLIST));
    assertThat(dir.resolve("bin/netctl-cni/plugin.jsa")).doesNotExist();
  }

  /**
   * An upgrade replaces launchers the kubelet may run at any moment: whoever finds the name finds
   * an executable file, never one whose mode is set only after the rename. A watcher polls the name
   * while the installer rewrites it (bounded: 20 installs).
   */
  @Test
  void aReplacedLauncherIsExecutableWheneverItsNameExists(@TempDir Path dir) throws Exception {
    Path launcher = dir.resolve("bin/" + CniPlugin.MAIN_TYPE);
    java.util.concurrent.atomic.AtomicInteger notExecutable =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();
    Thread watcher =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (!done.get()) {
                    if (java.nio.file.Files.exists(launcher)
                        && !java.nio.file.Files.isExecutable(launcher)
                        && java.nio.file.Files.exists(launcher)) {
                      notExecutable.incrementAndGet();
                    }
                  }
                });
    try {
      for (int i = 0; i < 20; i++) {
        CniInstaller.install(options(dir, dir.resolve("no-such-jdk/bin/java")));
      }
    } finally {
      done.set(true);
      watcher.join(10_000);
    }
    assertThat(notExecutable.get())
        .as("moments the launcher was there but not executable")
        .isZero();
  }

  /**
   * The conflist chains portmap: a plugin the installer is given goes into the bin dir when the
   * node has none of that name (else every pod's ADD fails finding it), executable; one the node
   * has is kept as it is.
   */
  @Test
  void aGivenPluginIsCopiedOnlyWhereTheNodeHasNoneOfThatName(@TempDir Path dir) throws Exception {
    Path shipped =
        java.nio.file.Files.writeString(dir.resolve("portmap"), "#!/bin/sh\necho ours\n");
    Path bin = dir.resolve("bin");
    assertThat(CniInstaller.installPluginsIfAbsent(bin, List.of(shipped)))
        .containsExactly(bin.resolve("portmap"));
    assertThat(bin.resolve("portmap")).hasSameTextualContentAs(shipped);
    assertThat(java.nio.file.Files.isExecutable(bin.resolve("portmap"))).isTrue();

    java.nio.file.Files.writeString(bin.resolve("portmap"), "the node's own");
    assertThat(CniInstaller.installPluginsIfAbsent(bin, List.of(shipped))).isEmpty();
    assertThat(bin.resolve("portmap")).hasContent("the node's own");

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> CniInstaller.installPluginsIfAbsent(bin, List.of(dir.resolve("bandwidth"))))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("plugin " + dir.resolve("bandwidth") + ": no such file");
  }
}
