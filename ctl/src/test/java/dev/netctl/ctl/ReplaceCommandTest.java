package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ReplaceCommandTest {
  @TempDir Path dir;

  static final String PEER =
      """
      apiVersion: netctl.dev/v1
      kind: BGPPeer
      metadata: {name: tor}
      spec: {peerIP: 192.168.0.1, asNumber: 65001}
      """;

  @Test
  void replacesAnExistingObject() {
    Cli cli = new Cli("embedded:" + dir.resolve("s.db"));
    assertThat(cli.runWithStdin(PEER, "create", "-f", "-").exitCode()).isZero();
    Cli.Run r = cli.runWithStdin(PEER.replace("65001", "65002"), "replace", "-f", "-");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("bgppeer.netctl.dev/tor replaced\n");
    assertThat(cli.run("get", "bgppeer", "tor").out()).contains("65002");
  }

  @Test
  void requiresEveryObjectToExistAndWritesNothingOtherwise() {
    String spec = "embedded:" + dir.resolve("s.db");
    Cli cli = new Cli(spec);
    cli.runWithStdin(PEER, "create", "-f", "-");
    StoreSnapshot before = StoreSnapshot.of(spec);
    Cli.Run r =
        cli.runWithStdin(
            PEER.replace("65001", "65009") + "---\n" + PEER.replace("tor", "spine"),
            "replace",
            "-f",
            "-");
    assertThat(r.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(r.err())
        .isEqualTo("error: BGPPeer \"spine\" not found\nerror: nothing was replaced\n");
    assertThat(StoreSnapshot.of(spec)).isEqualTo(before);
  }

  @Test
  void honoursResourceVersionAsCompareAndSwap() {
    String spec = "embedded:" + dir.resolve("s.db");
    Cli cli = new Cli(spec);
    cli.runWithStdin(PEER, "create", "-f", "-");
    String read = cli.run("get", "bgppeer", "tor", "-o", "yaml").out();
    assertThat(read).contains("resourceVersion:");

    Cli.Run first = cli.runWithStdin(read.replace("65001", "65003"), "replace", "-f", "-");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    StoreSnapshot afterFirst = StoreSnapshot.of(spec);

    // the same read again: its resourceVersion is now stale
    Cli.Run second = cli.runWithStdin(read.replace("65001", "65004"), "replace", "-f", "-");
    assertThat(second.exitCode()).isEqualTo(ExitCode.CONFLICT);
    assertThat(second.err()).contains("BGPPeer \"tor\"", "modified concurrently");
    assertThat(StoreSnapshot.of(spec)).isEqualTo(afterFirst);
    assertThat(cli.run("get", "peer", "tor").out()).contains("65003");
  }

  @Test
  void aStaleObjectLaterInTheFileLeavesTheEarlierOnesUnreplaced() {
    // Objects were replaced one by one: the first was written before the second's stale
    // resourceVersion failed the command, so a failed replace left the file half applied.
    String spec = "embedded:" + dir.resolve("s.db");
    Cli cli = new Cli(spec);
    cli.runWithStdin(PEER + "---\n" + PEER.replace("tor", "spine"), "create", "-f", "-");
    String read = cli.run("get", "bgppeers", "-o", "yaml").out();
    cli.run("patch", "bgppeer", "tor", "-p", "{\"spec\":{\"asNumber\":65005}}");
    StoreSnapshot before = StoreSnapshot.of(spec);

    // spine sorts first and is current; tor's resourceVersion is stale
    Cli.Run r = cli.runWithStdin(read.replace("65001", "65007"), "replace", "-f", "-");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.CONFLICT);
    assertThat(r.err()).contains("BGPPeer \"tor\"", "modified concurrently");
    assertThat(r.out()).as("nothing is reported replaced").isEmpty();
    assertThat(StoreSnapshot.of(spec)).as("spine was written").isEqualTo(before);
  }

  @Test
  void everyStaleObjectIsNamedWithTheGivenAndTheCurrentVersion() {
    String spec = "embedded:" + dir.resolve("s.db");
    Cli cli = new Cli(spec);
    cli.runWithStdin(PEER + "---\n" + PEER.replace("tor", "spine"), "create", "-f", "-");
    String read = cli.run("get", "bgppeers", "-o", "yaml").out();
    String torBefore = version(cli, "tor");
    String spineBefore = version(cli, "spine");
    cli.run("patch", "bgppeer", "tor", "-p", "{\"spec\":{\"asNumber\":65005}}");
    cli.run("patch", "bgppeer", "spine", "-p", "{\"spec\":{\"asNumber\":65006}}");

    Cli.Run r = cli.runWithStdin(read.replace("65001", "65007"), "replace", "-f", "-");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.CONFLICT);
    assertThat(r.err().lines())
        .containsExactly(
            "error: BGPPeer \"spine\" was modified concurrently (resourceVersion "
                + spineBefore
                + " given, now "
                + version(cli, "spine")
                + ")",
            "error: BGPPeer \"tor\" was modified concurrently (resourceVersion "
                + torBefore
                + " given, now "
                + version(cli, "tor")
                + ")");
  }

  static String version(Cli cli, String peer) {
    String yaml = cli.run("get", "bgppeer", peer, "-o", "yaml").out();
    return yaml.replaceAll("(?s).*resourceVersion: \"?(\\d+)\"?\n.*", "$1");
  }
}
