package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.etcd.EtcdProcess;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole {@code netctl ipam} session an operator runs — configure, assign, show, plant a fault,
 * check, repair from the report, check again, release — on the embedded store and on a real etcd.
 */
class IpamCommandTest {
  @TempDir Path dir;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void operatorSessionOnTheEmbeddedStore() {
    session(IpamCluster.embedded(dir).standard());
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void operatorSessionOnEtcd() {
    try (EtcdProcess etcd = EtcdProcess.start()) {
      session(new IpamCluster(etcd.spec()).standard());
    }
  }

  @Test
  void ipamWithoutASubcommandPrintsItsUsage() {
    IpamCluster.Run r = IpamCluster.raw("ipam");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("show", "assign", "release", "check", "configure");
  }

  @Test
  void theDatastoreOptionWorksBeforeTheVerbToo() {
    IpamCluster cluster = IpamCluster.embedded(dir).standard();
    cluster.ok("ipam", "assign", "--node", "node-1", "--handle", "h", "--ip", "10.10.0.7");

    IpamCluster.Run r =
        IpamCluster.raw("--datastore", cluster.spec(), "ipam", "show", "--ip", "10.10.0.7");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).startsWith("IP 10.10.0.7 is in use");
  }

  private void session(IpamCluster cluster) {
    assertThat(
            cluster
                .ok("ipam", "configure", "--strict-affinity=false", "--max-blocks-per-host=4")
                .lines()
                .get(0))
        .isEqualTo("ipamconfig.netctl.dev/default created");

    List<String> pod =
        cluster
            .ok(
                "ipam",
                "assign",
                "--node",
                "node-1",
                "--handle",
                "k8s-pod-network.c1",
                "--ipv4",
                "1",
                "--ipv6",
                "1",
                "--pod",
                "web-0",
                "--namespace",
                "shop")
            .lines();
    assertThat(pod).hasSize(2);
    cluster.ok(
        "ipam", "assign", "--node", "node-2", "--handle", "k8s-pod-network.c2", "--ipv4", "3");
    cluster.ok(
        "ipam",
        "assign",
        "--node",
        "node-2",
        "--handle",
        "vxlan-tunnel-addr-node-2",
        "--ip",
        "10.10.0.250");

    List<String> table = cluster.ok("ipam", "show", "--show-blocks").lines();
    assertThat(IpamShowCommandTest.cells(table.get(1)))
        .containsExactly("IP Pool", "10.10.0.0/24", "256", "5 (2%)", "0 (0%)", "251 (98%)");
    assertThat(table).filteredOn(l -> l.startsWith("Block")).hasSize(4);

    assertThat(cluster.ok("ipam", "show", "--ip", pod.get(0)).lines())
        .contains("IP " + pod.get(0) + " is in use", "  pod: web-0", "  namespace: shop");

    // A writer died between writing a block and its handle: the address leaked.
    String leakedBase = pod.get(0).substring(0, pod.get(0).lastIndexOf('.') + 1);
    int last = Integer.parseInt(pod.get(0).substring(pod.get(0).lastIndexOf('.') + 1));
    String leaked = leakedBase + (last + 20);
    IpamCheckCommandTest.plantLeak(cluster, leaked, "k8s-pod-network.crashed");
    Path report = dir.resolve("report.json");

    IpamCluster.Run check = cluster.run("ipam", "check", "-o", report.toString());
    assertThat(check.exitCode()).as(check.toString()).isEqualTo(ExitCode.PROBLEMS_FOUND);
    assertThat(check.out()).contains("Found 1 problem(s):").contains(leaked);

    assertThat(cluster.ok("ipam", "release", "--from-report", report.toString()).lines())
        .contains("repaired 1 item(s), skipped 0 item(s)");
    IpamCluster.Run clean = cluster.run("ipam", "check");
    assertThat(clean.exitCode()).as(clean.toString()).isEqualTo(ExitCode.OK);

    assertThat(cluster.ok("ipam", "release", "--handle", "k8s-pod-network.c2").out())
        .isEqualTo("released 3 address(es) of handle k8s-pod-network.c2\n");
    assertThat(cluster.ok("ipam", "release", "--ip", "10.10.0.250").out())
        .isEqualTo("released 10.10.0.250\n");

    // Bad input on this store too: refused, one line, nothing written.
    List<String> before = cluster.snapshot();
    IpamCluster.Run free = cluster.run("ipam", "release", "--ip", "10.10.0.250");
    assertThat(free.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(free.err())
        .isEqualTo("error: IP 10.10.0.250 is not allocated: nothing to release\n");
    IpamCluster.Run taken =
        cluster.run("ipam", "assign", "--node", "node-2", "--handle", "x", "--ip", pod.get(0));
    assertThat(taken.exitCode()).isEqualTo(ExitCode.ALREADY_EXISTS);
    assertThat(cluster.snapshot()).isEqualTo(before);

    List<String> after = cluster.ok("ipam", "show").lines();
    assertThat(IpamShowCommandTest.cells(after.get(1)))
        .containsExactly("IP Pool", "10.10.0.0/24", "256", "1 (0%)", "0 (0%)", "255 (100%)");
    assertThat(cluster.run("ipam", "check").exitCode()).isEqualTo(ExitCode.OK);
  }
}
