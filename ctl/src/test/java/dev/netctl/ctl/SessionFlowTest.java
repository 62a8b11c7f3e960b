package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.etcd.EtcdProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session a Calico user runs first, on the embedded store and on a real etcd: apply a pool,
 * list it wide, patch it, round-trip it through {@code get -o yaml | apply -f -} (a no-op), delete
 * it.
 */
@Timeout(120)
class SessionFlowTest {

  @TempDir Path dir;

  static final String POOL =
      """
      apiVersion: projectcalico.org/v3
      kind: IPPool
      metadata:
        name: p
      spec:
        cidr: 10.244.0.0/16
        blockSize: 24
        vxlanMode: CrossSubnet
      """;

  @Test
  void onTheEmbeddedStore() throws Exception {
    session("embedded:" + dir.resolve("netctl.db"));
  }

  @Test
  void onARealEtcd() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start()) {
      session(etcd.spec());
    }
  }

  private void session(String spec) throws Exception {
    Cli cli = new Cli(spec);
    Path pool = dir.resolve("pool.yaml");
    Files.writeString(pool, POOL);

    Cli.Run applied = cli.run("apply", "-f", pool.toString());
    assertThat(applied.exitCode()).as(applied.toString()).isZero();
    assertThat(applied.out()).isEqualTo("ippool.netctl.dev/p created\n");

    Cli.Run wide = cli.run("get", "ippools", "-o", "wide");
    assertThat(wide.exitCode()).as(wide.toString()).isZero();
    assertThat(wide.out().lines().toList())
        .containsExactly(
            "NAME   CIDR            NAT     IPIPMODE   VXLANMODE     DISABLED   DISABLEBGPEXPORT"
                + "   SELECTOR",
            "p      10.244.0.0/16   false   Never      CrossSubnet   false      false           "
                + "   all()");

    Cli.Run patched = cli.run("patch", "ippool", "p", "-p", "{\"spec\":{\"natOutgoing\":true}}");
    assertThat(patched.exitCode()).as(patched.toString()).isZero();
    assertThat(patched.out()).isEqualTo("ippool.netctl.dev/p patched\n");
    assertThat(cli.run("get", "pool", "p", "-o", "wide").out()).contains("10.244.0.0/16   true");

    StoreSnapshot beforeRoundTrip = StoreSnapshot.of(spec);
    Cli.Run yaml = cli.run("get", "ippool", "p", "-o", "yaml");
    assertThat(yaml.exitCode()).isZero();
    assertThat(yaml.out()).contains("natOutgoing: true").doesNotContain("---");
    Cli.Run again = cli.runWithStdin(yaml.out(), "apply", "-f", "-");
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).isEqualTo("ippool.netctl.dev/p unchanged\n");
    assertThat(StoreSnapshot.of(spec))
        .as("a no-op apply writes nothing")
        .isEqualTo(beforeRoundTrip);

    Cli.Run deleted = cli.run("delete", "ippool", "p");
    assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
    assertThat(deleted.out()).isEqualTo("ippool.netctl.dev \"p\" deleted\n");
    Cli.Run gone = cli.run("get", "ippool", "p");
    assertThat(gone.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(gone.err()).isEqualTo("error: IPPool \"p\" not found\n");
    assertThat(StoreSnapshot.of(spec).size()).isZero();
  }
}
