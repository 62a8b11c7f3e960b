package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.etcd.EtcdProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatastoreMigrateCommandTest {
  @TempDir Path dir;

  /** A cluster with pools, nodes, a peer, pods' addresses, a tunnel address and an endpoint. */
  private IpamCluster seeded(String name) {
    IpamCluster c = new IpamCluster("embedded:" + dir.resolve(name));
    c.standard();
    c.ok(
        "ipam",
        "assign",
        "--node",
        "node-1",
        "--handle",
        "k8s-pod-network.c1",
        "--ipv4",
        "2",
        "--ipv6",
        "1");
    c.ok(
        "ipam", "assign", "--node", "node-2", "--handle", "ipip-tunnel-addr-node-2", "--ipv4", "1");
    c.ok(
        "ipam",
        "release",
        "--ip",
        c.ok("ipam", "assign", "--node", "node-1", "--handle", "h-tmp").lines().getFirst());
    Cli cli = new Cli(c.spec());
    Cli.Run r =
        cli.runWithStdin(
            """
            apiVersion: projectcalico.org/v3
            kind: BGPPeer
            metadata: {name: tor}
            spec: {peerIP: 10.0.0.254, asNumber: 65001, nodeSelector: zone == 'a'}
            ---
            apiVersion: projectcalico.org/v3
            kind: WorkloadEndpoint
            metadata: {name: node--1-k8s-web-eth0, namespace: shop, labels: {app: web}}
            spec: {node: node-1, containerID: c1, pod: web, endpoint: eth0}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-all, namespace: shop}
            spec: {podSelector: {}, policyTypes: [Ingress]}
            """,
            "apply",
            "-f",
            "-");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return c;
  }

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void embeddedToEtcdToKubernetesToEmbeddedKeepsEveryObjectAndPassesIpamCheck() throws Exception {
    IpamCluster source = seeded("source.db");
    source.ok("datastore", "migrate", "lock");
    IpamCluster.Run export = source.ok("datastore", "migrate", "export");
    assertThat(export.err())
        .contains("IPAMBlock")
        .contains("IPAMHandle")
        .contains("WorkloadEndpoint")
        .contains("KubernetesNetworkPolicy");
    assertThat(export.out()).doesNotContain("IPPoolGuard").doesNotContain("ClusterInformation");
    Path dump = write("dump.yaml", export.out());
    int objects = export.out().split("\n---\n").length - 1;

    String fromEtcd;
    try (EtcdProcess etcd = EtcdProcess.start()) {
      IpamCluster onEtcd = new IpamCluster(etcd.spec());
      IpamCluster.Run imported =
          onEtcd.run("datastore", "migrate", "import", "-f", dump.toString());
      assertThat(imported.exitCode()).as(imported.toString()).isZero();
      assertThat(imported.out())
          .contains("Imported " + objects + " object(s) into")
          .contains("No problems found.")
          .contains("stays locked");
      fromEtcd = onEtcd.ok("datastore", "migrate", "export").out();
      assertThat(fromEtcd).isEqualTo(export.out());
    }

    String fromKube;
    try (MockApiServer api = MockApiServer.start()) {
      IpamCluster onKube = new IpamCluster("kubernetes:" + api.kubeconfig(dir));
      IpamCluster.Run imported =
          onKube.run(
              "datastore", "migrate", "import", "-f", write("etcd.yaml", fromEtcd).toString());
      assertThat(imported.exitCode()).as(imported.toString()).isZero();
      // Endpoints and Kubernetes policies are the cluster's own Pods and NetworkPolicies there
      // (none in this mock): they are not copied, and the rest goes one object per commit.
      int derived =
          (int) objects(fromEtcd).stream().filter(DatastoreMigrateCommandTest::derived).count();
      assertThat(derived).isEqualTo(2);
      assertThat(imported.out())
          .contains("Skipped 1 KubernetesNetworkPolicy, 1 WorkloadEndpoint: kubernetes http")
          .contains(
              "Imported " + (objects - derived) + " object(s) into kubernetes http://127.0.0.1:")
          .contains(" in " + (objects - derived) + " commit(s)")
          .contains("No problems found.");
      fromKube = onKube.ok("datastore", "migrate", "export").out();
      assertThat(objects(fromKube))
          .isEqualTo(objects(export.out()).stream().filter(d -> !derived(d)).toList());
      // a second import into the now non-empty kubernetes store is refused
      assertThat(onKube.run("datastore", "migrate", "import", "-f", dump.toString()).exitCode())
          .isEqualTo(ExitCode.ALREADY_EXISTS);
      // the kubernetes store is locked too: a write is refused until unlock
      assertThat(onKube.run("label", "node", "node-1", "x=y").exitCode())
          .isEqualTo(ExitCode.LOCKED);
    }

    IpamCluster back = new IpamCluster("embedded:" + dir.resolve("back.db"));
    assertThat(
            back.run(
                    "datastore", "migrate", "import", "-f", write("kube.yaml", fromKube).toString())
                .exitCode())
        .isZero();
    assertThat(back.ok("datastore", "migrate", "export").out()).isEqualTo(fromKube);
    // the migrated store works once unlocked: the freed address is handed out last, as before
    back.ok("datastore", "migrate", "unlock");
    back.ok("ipam", "release", "--handle", "k8s-pod-network.c1");
    assertThat(back.ok("ipam", "check").out()).contains("No problems found.");
  }

  @Test
  void importRefusesANonEmptyTargetAndWritesNothing() throws IOException {
    IpamCluster source = seeded("source.db");
    Path dump = write("dump.yaml", source.ok("datastore", "migrate", "export").out());
    IpamCluster target = new IpamCluster("embedded:" + dir.resolve("target.db"));
    target.pool("existing", "10.99.0.0/16", 26);
    IpamCluster.Run r = target.run("datastore", "migrate", "import", "-f", dump.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCode.ALREADY_EXISTS);
    assertThat(r.err()).contains("is not empty: it holds 1 IPPool (existing)");
    assertThat(target.ok("get", "ippools", "-o", "name").out().strip())
        .isEqualTo("ippool.netctl.dev/existing");
  }

  @Test
  void aLockedDatastoreRefusesWritesWithItsOwnExitCode() {
    IpamCluster c = seeded("source.db");
    c.ok("datastore", "migrate", "lock");
    IpamCluster.Run apply = c.run("label", "node", "node-1", "x=y");
    assertThat(apply.exitCode()).as(apply.toString()).isEqualTo(ExitCode.LOCKED);
    assertThat(apply.err()).contains("locked for migration").contains("migrate unlock");
    IpamCluster.Run assign = c.run("ipam", "assign", "--node", "node-1", "--handle", "h2");
    assertThat(assign.exitCode()).as(assign.toString()).isEqualTo(ExitCode.LOCKED);
    assertThat(c.ok("get", "nodes").out()).contains("node-1");
    c.ok("datastore", "migrate", "unlock");
    c.ok("ipam", "assign", "--node", "node-1", "--handle", "h2");
  }

  @Test
  void calicoCrdObjectsImportIntoAWorkingStore() throws IOException {
    Path fixture = copyFixture();
    IpamCluster target = new IpamCluster("embedded:" + dir.resolve("from-calico.db"));
    IpamCluster.Run r =
        target.run("datastore", "migrate", "import", "--from-calico", "-f", fixture.toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.err())
        // Felix's own dataplane settings are dropped by name; the object itself is kept
        .contains(
            "FelixConfiguration \"default\": dropped spec.bpfLogLevel, spec.floatingIPs,"
                + " spec.logSeverityScreen, spec.reportingInterval (not supported by netctl)")
        .contains("Node \"worker-1\": dropped spec.orchRefs");
    assertThat(r.out())
        .contains("2 IPPool")
        .contains("1 FelixConfiguration")
        .contains("3 IPAMBlock")
        .contains("3 BlockAffinity")
        .contains("4 IPAMHandle")
        .contains("Checked 3 block(s), 3 affinity record(s), 4 handle(s); 4 address(es) in use.")
        .contains("No problems found.");
    target.ok("datastore", "migrate", "unlock");
    assertThat(target.ok("get", "ippool", "default-ipv6-ippool", "-o", "yaml").out())
        .contains("cidr: fd5f:1801:8a5a::/112")
        .contains("uid: 0a7d5e33-24c9-4f57-b1f0-8b1e4c2d9a70");
    assertThat(target.ok("ipam", "show", "--ip", "192.168.10.3").out())
        .contains("web-5d8f7b9c6-qm4zt");
    // Calico's free list order is kept: the address freed last (ordinal 2) is handed out last
    String next =
        target
            .ok("ipam", "assign", "--node", "worker-1", "--handle", "h-new", "--ipv4", "1")
            .lines()
            .getFirst();
    assertThat(next).isEqualTo("192.168.10.4");
  }

  @Test
  void aBrokenCalicoBlockIsRefusedNamingItAndNothingIsWritten() throws IOException {
    String text =
        Files.readString(copyFixture())
            .replace("sequenceNumber: 1\n", "sequenceNumber: 1\n")
            .replace("unallocated: [1, 2, 3,", "unallocated: [0, 1, 2, 3,");
    Path broken = write("broken.yaml", text);
    IpamCluster target = new IpamCluster("embedded:" + dir.resolve("broken.db"));
    IpamCluster.Run r =
        target.run("datastore", "migrate", "import", "--from-calico", "-f", broken.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(r.err())
        .contains("IPAMBlock \"192-168-20-64-26\"")
        .contains("unallocated holds invalid ordinal 0");
    assertThat(target.run("get", "ippools", "-o", "name").out()).isEmpty();
  }

  private Path copyFixture() throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/calico/crd-dump.yaml")) {
      Path p = dir.resolve("calico.yaml");
      Files.write(p, in.readAllBytes());
      return p;
    }
  }

  /** The objects of an export, one YAML document each (the header with its counts left out). */
  private static List<String> objects(String export) {
    List<String> docs = List.of(export.split("\n---\n"));
    return docs.subList(1, docs.size());
  }

  /** Whether an export's object is of a kind the kubernetes backend derives from its own. */
  private static boolean derived(String object) {
    return Stream.of("WorkloadEndpoint", "KubernetesNetworkPolicy", "Profile")
        .anyMatch(k -> object.startsWith("kind: " + k + "\n"));
  }
}
