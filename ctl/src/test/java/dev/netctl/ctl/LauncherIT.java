package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code ./netctl} launcher as a user runs it, on the jar {@code package} just built
 * (NETCTL_NO_BUILD keeps it from rebuilding), with its class-data-sharing archive in a temp dir.
 */
@Timeout(180)
class LauncherIT {
  @TempDir Path dir;

  record Run(int exitCode, String out, String err) {}

  private Run netctl(String stdin, String... args) throws IOException, InterruptedException {
    // Which native libraries the JVM loaded, and from where (appended by each command).
    return launch(stdin, "-Xlog:library=info:file=" + dir.resolve("lib.log"), args);
  }

  /** Runs the launcher with the JVM printing the flags it was started with; stdout has them. */
  private Run flagsOf(String... args) throws IOException, InterruptedException {
    return launch("", "-XX:+PrintCommandLineFlags", args);
  }

  private Run launch(String stdin, String javaOpts, String... args)
      throws IOException, InterruptedException {
    Path launcher = Path.of("").toAbsolutePath().getParent().resolve("netctl");
    assertThat(launcher).as("the launcher at the repository root").isExecutable();
    List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("NETCTL_NO_BUILD", "1");
    pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
    pb.environment().put("NETCTL_DATASTORE", "embedded:" + dir.resolve("netctl.db"));
    pb.environment().put("NETCTL_JAVA_OPTS", javaOpts);
    pb.redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("netctl " + String.join(" ", args) + " did not finish in 60 s");
    }
    return new Run(
        p.exitValue(), Files.readString(dir.resolve("out")), Files.readString(dir.resolve("err")));
  }

  @Test
  void longRunningVerbsGetTheServerMemoryProfileAndMaxMemoryCapsTheHeap() throws Exception {
    Path missing = dir.resolve("absent.yaml");
    // The config is missing, so the speaker exits at once, after the JVM printed its flags.
    Run server = flagsOf("bgp", "run", "--config", missing.toString());
    assertThat(server.exitCode()).as(server.toString()).isEqualTo(ExitCode.INVALID);
    assertThat(server.out())
        .contains("-XX:InitialHeapSize=12582912", "-XX:NewSize=6291456", "-XX:MaxHeapFreeRatio=30")
        .contains("-XX:+UseSerialGC", "-XX:+UseCompactObjectHeaders")
        .contains("-XX:CompileThresholdScaling=0.5")
        .doesNotContain("-XX:MaxDirectMemorySize");

    // 256m: 192 MiB of heap (64 MiB left to the JVM itself), Netty's direct memory a quarter of it.
    Run capped = flagsOf("bgp", "run", "--max-memory", "256m", "--config", missing.toString());
    assertThat(capped.exitCode()).as(capped.toString()).isEqualTo(ExitCode.INVALID);
    assertThat(capped.out())
        .contains("-XX:MaxHeapSize=201326592", "-XX:MaxDirectMemorySize=50331648");
    assertThat(capped.err()).doesNotContain("warning: --max-memory");

    // The node agent and the controller take the cap as the speaker does (their options are
    // refused after the JVM printed its flags, before a store or the kernel is touched).
    Run node = flagsOf("node", "run", "--max-memory", "256m", "--resync-interval", "0");
    assertThat(node.exitCode()).as(node.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(node.out()).contains("-XX:MaxHeapSize=201326592", "-XX:NewSize=6291456");
    assertThat(node.err()).contains("--resync-interval 0").doesNotContain("warning: --max-memory");
    Run controller =
        flagsOf(
            "controller",
            "run",
            "--max-memory=256m",
            "--lease-duration",
            "2s",
            "--renew-deadline",
            "5s");
    assertThat(controller.exitCode()).as(controller.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(controller.out()).contains("-XX:MaxHeapSize=201326592", "-XX:NewSize=6291456");
    // Said by the command itself: its options, --max-memory among them, were parsed.
    assertThat(controller.err())
        .contains("controller run: ")
        .doesNotContain("warning: --max-memory");

    // A root option's value before the verb is not taken for the verb.
    Run viaStore = flagsOf("--datastore", "memory", "bgp", "run", "--config", missing.toString());
    assertThat(viaStore.out()).contains("-XX:NewSize=6291456");

    Run cli = flagsOf("version");
    assertThat(cli.exitCode()).as(cli.toString()).isZero();
    assertThat(cli.out())
        .contains("-XX:TieredStopAtLevel=1")
        .doesNotContain("-XX:NewSize=", "CompileThresholdScaling");
  }

  @Test
  void aSpeakerThroughTheLauncherGetsNettysOwnDirectBuffers() throws Exception {
    // Netty says at start-up, at debug level, whether it can make direct buffers without
    // ByteBuffer.allocateDirect (which zeroes them); the speaker loads it for its warm-up, then
    // fails to listen on the port held here and exits.
    Path logging = dir.resolve("logging.properties");
    Files.writeString(
        logging,
        """
        handlers=java.util.logging.ConsoleHandler
        java.util.logging.ConsoleHandler.level=FINE
        .level=WARNING
        io.netty.util.internal.PlatformDependent0.level=FINE
        """);
    try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path config = dir.resolve("speaker.yaml");
      Files.writeString(
          config,
          """
          asNumber: 65001
          routerId: 127.0.0.1
          listen: {address: 127.0.0.1, port: %d}
          peers:
            - address: 127.0.0.2
              asNumber: 65002
          """
              .formatted(held.getLocalPort()));
      Run run =
          launch(
              "",
              "-Djava.util.logging.config.file=" + logging,
              "bgp",
              "run",
              "--config",
              "" + config);
      assertThat(run.exitCode()).as(run.toString()).isNotZero();
      assertThat(run.err())
          .contains("cannot listen for BGP")
          .contains("java.nio.DirectByteBuffer.<init>(long, {int,long}): available");
    }
  }

  @Test
  void aBadMaxMemoryStopsTheLauncherBeforeAnyJvmStarts() throws Exception {
    Run bad = flagsOf("bgp", "run", "--max-memory=lots", "--config", "x.yaml");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err())
        .isEqualTo(
            "netctl: --max-memory \"lots\" is not a size: use a number with k, m or g (e.g."
                + " 256m, 2g)\n");
    assertThat(bad.out()).isEmpty();

    Run small = flagsOf("bgp", "run", "--max-memory", "64m", "--config", "x.yaml");
    assertThat(small.exitCode()).isEqualTo(2);
    assertThat(small.err()).contains("below the minimum of 128m");

    Run missing = flagsOf("bgp", "run", "--config", "x.yaml", "--max-memory");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("--max-memory needs a SIZE");

    Run cli = flagsOf("get", "ippools", "--max-memory", "1g");
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err())
        .isEqualTo("netctl: --max-memory applies to bgp run, node run and controller run only\n");

    // The demo runs its agents as JVMs of their own: a cap on its own would mislead.
    Run demo = flagsOf("demo", "--max-memory", "1g");
    assertThat(demo.exitCode()).isEqualTo(2);
    assertThat(demo.err()).contains("applies to bgp run, node run and controller run only");
  }

  @Test
  void aUserSessionThroughTheLauncher() throws Exception {
    String pool =
        "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\n"
            + "spec: {cidr: 10.7.0.0/16}\n";
    Run created = netctl(pool, "apply", "-f", "-");
    assertThat(created.exitCode()).as(created.toString()).isZero();
    assertThat(created.out()).isEqualTo("ippool.netctl.dev/p created\n");

    Run yaml = netctl("", "get", "ippool", "p", "-o", "yaml");
    assertThat(yaml.exitCode()).isZero();
    Run again = netctl(yaml.out(), "apply", "-f", "-");
    assertThat(again.out()).isEqualTo("ippool.netctl.dev/p unchanged\n");

    Run missing = netctl("", "get", "ippool", "ghost");
    assertThat(missing.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(missing.err()).isEqualTo("error: IPPool \"ghost\" not found\n");

    // sqlite's native library is loaded from the launcher's cache, not copied out of the jar
    // into the temp dir by every command.
    assertThat(Files.readString(dir.resolve("lib.log")))
        .containsPattern(
            "Loaded library "
                + Pattern.quote(dir.resolve("cache/netctl") + "/")
                + "[^ ]*/libsqlitejdbc.so")
        .doesNotContainPattern("Loaded library [^ ]*sqlite-[^ ]*libsqlitejdbc.so");
  }

  /**
   * A copy of the launcher in its own checkout {@code name} under the temp dir: the real jar, and a
   * stand-in {@code mvnw} that reads its stdin (as a build may) and refreshes the jar.
   */
  private Path checkout(String name) throws IOException {
    return checkout(name, "cat >/dev/null\n");
  }

  private Path checkout(String name, String build) throws IOException {
    Path repo = Path.of("").toAbsolutePath().getParent();
    Path root = dir.resolve(name);
    Files.createDirectories(root.resolve("ctl/target"));
    Files.copy(repo.resolve("netctl"), root.resolve("netctl"));
    Path options = Path.of("ctl/src/main/sh/jvm-options.sh");
    Files.createDirectories(root.resolve(options).getParent());
    Files.copy(repo.resolve(options), root.resolve(options));
    Files.copy(repo.resolve("ctl/target/netctl.jar"), root.resolve("ctl/target/netctl.jar"));
    Path mvnw = root.resolve("mvnw");
    Files.writeString(mvnw, "#!/bin/sh\n" + build + "touch ctl/target/netctl.jar\n");
    mvnw.toFile().setExecutable(true);
    return root;
  }

  private Run inCheckout(Path root, boolean build, String stdin, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(root.resolve("netctl").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    if (!build) {
      pb.environment().put("NETCTL_NO_BUILD", "1");
    }
    pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
    pb.environment().put("NETCTL_DATASTORE", "embedded:" + dir.resolve("netctl.db"));
    pb.redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("netctl " + String.join(" ", args) + " did not finish in 120 s");
    }
    return new Run(
        p.exitValue(), Files.readString(dir.resolve("out")), Files.readString(dir.resolve("err")));
  }

  @Test
  void aBuildBeforeTheCommandLeavesItsStdinToTheCommand() throws Exception {
    Path root = checkout("repo");
    // A source newer than the jar: the launcher builds first.
    Path pom = root.resolve("pom.xml");
    Files.writeString(pom, "<project/>");
    Files.setLastModifiedTime(
        root.resolve("ctl/target/netctl.jar"),
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    Run created =
        inCheckout(
            root,
            true,
            "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: piped}\n"
                + "spec: {cidr: 10.8.0.0/16}\n",
            "apply",
            "-f",
            "-");
    assertThat(created.err()).contains("building");
    assertThat(created.exitCode()).as(created.toString()).isZero();
    assertThat(created.out()).isEqualTo("ippool.netctl.dev/piped created\n");
  }

  @Test
  void twoCheckoutsSharingTheCacheKeepEachOthersArchive() throws Exception {
    Path a = checkout("a");
    Path b = checkout("b");
    // b's jar differs (another build): its archive has another name.
    Files.setLastModifiedTime(
        b.resolve("ctl/target/netctl.jar"),
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 120_000));
    assertThat(inCheckout(a, false, "", "version").exitCode()).isZero();
    Path cache = dir.resolve("cache/netctl");
    List<Path> afterA;
    try (var files = Files.list(cache)) {
      afterA = files.filter(f -> f.toString().endsWith(".jsa")).toList();
    }
    assertThat(afterA).as("a's archive").hasSize(1);
    assertThat(inCheckout(b, false, "", "version").exitCode()).isZero();
    assertThat(afterA.getFirst()).as("a's archive after b ran").exists();
    try (var files = Files.list(cache)) {
      assertThat(files.filter(f -> f.toString().endsWith(".jsa")).count()).isEqualTo(2);
    }
  }

  @Test
  void oldStyleNamesAndDeletedCheckoutsAreSweptButALiveCheckoutsFilesStay() throws Exception {
    Path live = checkout("live");
    Path gone = checkout("gone");
    assertThat(inCheckout(live, false, "", "version").exitCode()).isZero();
    assertThat(inCheckout(gone, false, "", "version").exitCode()).isZero();
    Path cache = dir.resolve("cache/netctl");
    String liveTree = treeOf(cache, live);
    String goneTree = treeOf(cache, gone);
    deleteTree(gone);
    int uid = (Integer) Files.getAttribute(dir, "unix:uid");
    // what launchers before per-checkout names left (their names carried no checkout)
    List<String> oldStyle =
        List.of(
            "netctl-" + uid + ".jsa",
            "netctl-" + uid + "-1000-1700000000.jsa",
            "netctl-" + uid + "-1000-1700000000-2000-1600000000.jsa.failed",
            "netctl-" + uid + "-1000-1700000000-2000-1600000000-coh.jsa",
            "netctl-" + uid + "-none-coh.jsa");
    for (String f : oldStyle) Files.writeString(cache.resolve(f), "x");
    Files.createDirectories(cache.resolve("netctl-" + uid + "-1000-1-2000-2-coh-native"));
    // another user's files are never ours to judge
    Files.writeString(cache.resolve("netctl-" + (uid + 1) + ".jsa"), "x");

    Path fresh = checkout("fresh"); // its first command makes its archive, and sweeps
    assertThat(inCheckout(fresh, false, "", "version").exitCode()).isZero();

    List<String> left;
    try (var files = Files.list(cache)) {
      left = files.map(f -> f.getFileName().toString()).sorted().toList();
    }
    assertThat(left)
        .as("old-style names and the deleted checkout's files are gone")
        .noneMatch(oldStyle::contains)
        .doesNotContain("netctl-" + uid + "-1000-1-2000-2-coh-native")
        .noneMatch(f -> f.startsWith("netctl-" + uid + "-" + goneTree))
        .contains("netctl-" + (uid + 1) + ".jsa");
    assertThat(left)
        .as("the live checkout keeps its archive, native library and marker")
        .anyMatch(f -> f.startsWith("netctl-" + uid + "-" + liveTree + "-") && f.endsWith(".jsa"))
        .anyMatch(
            f -> f.startsWith("netctl-" + uid + "-" + liveTree + "-") && f.endsWith("-native"))
        .contains("netctl-" + uid + "-" + liveTree + ".root");
    assertThat(inCheckout(live, false, "", "version").exitCode()).isZero();
  }

  /** The tree hash the launcher named {@code root}'s files after, read from its marker. */
  private static String treeOf(Path cache, Path root) throws IOException {
    String real = root.toRealPath().toString();
    try (var files = Files.list(cache)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".root")).toList()) {
        if (Files.readString(f).strip().equals(real)) {
          String name = f.getFileName().toString();
          return name.substring(name.indexOf('-', "netctl-".length()) + 1, name.length() - 5);
        }
      }
    }
    throw new AssertionError("no marker names " + root);
  }

  private static void deleteTree(Path root) throws IOException {
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  @Test
  void twoCommandsStartedTogetherAfterAChangeBuildOnce() throws Exception {
    Path builds = dir.resolve("builds");
    Path root = checkout("repo", "echo build >>" + builds + "\nsleep 2\n");
    Files.writeString(root.resolve("pom.xml"), "<project/>");
    Files.setLastModifiedTime(
        root.resolve("ctl/target/netctl.jar"),
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    List<Process> both = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ProcessBuilder pb = new ProcessBuilder(root.resolve("netctl").toString(), "version");
      pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
      pb.redirectOutput(dir.resolve("out" + i).toFile())
          .redirectError(dir.resolve("err" + i).toFile());
      both.add(pb.start());
    }
    for (int i = 0; i < 2; i++) {
      assertThat(both.get(i).waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(both.get(i).exitValue()).as(Files.readString(dir.resolve("err" + i))).isZero();
    }
    assertThat(Files.readAllLines(builds)).as("builds run").hasSize(1);
  }
}
