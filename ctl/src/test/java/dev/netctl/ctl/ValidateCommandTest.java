package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
  @TempDir Path dir;

  @Test
  void printsValidPerObjectWithoutADatastore() throws Exception {
    Path f = dir.resolve("ok.yaml");
    Files.writeString(
        f,
        """
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata: {name: p}
        spec: {cidr: 10.0.0.0/16}
        ---
        apiVersion: netctl.dev/v1
        kind: BGPPeer
        metadata: {name: tor}
        spec: {peerIP: 10.1.1.1, asNumber: 65001}
        """);
    // a datastore that cannot be opened proves validate never touches one
    Cli.Run r =
        Cli.raw("", "validate", "-f", f.toString(), "--datastore", "etcd:http://127.0.0.1:1");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("ippool.netctl.dev/p valid\nbgppeer.netctl.dev/tor valid\n");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void reportsEachInvalidObjectAndStillListsTheValidOnes() {
    String input =
        """
        apiVersion: netctl.dev/v1
        kind: IPPool
        metadata: {name: good}
        spec: {cidr: 10.0.0.0/16}
        ---
        apiVersion: netctl.dev/v1
        kind: IPPool
        metadata: {name: bad}
        spec: {cidr: 10.0.0.0/16, blockSize: 19}
        """;
    Cli.Run r = Cli.raw(input, "validate", "-f", "-");
    assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(r.out()).isEqualTo("ippool.netctl.dev/good valid\n");
    assertThat(r.err().lines().toList())
        .containsExactly(
            "error: <stdin>: IPPool \"bad\": spec.blockSize \"19\" must be 20-32 for an IPv4 pool",
            "error: <stdin>: IPPool \"bad\": spec.cidr \"10.0.0.0/16\" must not overlap IPPool"
                + " \"good\" (10.0.0.0/16)");
  }
}
