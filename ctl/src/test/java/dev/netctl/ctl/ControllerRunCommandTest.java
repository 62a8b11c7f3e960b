package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.lease.DatastoreLeaseStore;
import dev.netctl.datastore.lease.Lease;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControllerRunCommandTest {
  @TempDir Path dir;

  private IpamCluster clusterWithLeaks() {
    IpamCluster c = IpamCluster.embedded(dir).standard();
    c.ok("ipam", "assign", "--node", "node-1", "--handle", "k8s-pod-network.gone", "--ipv4", "1");
    c.ok(
        "ipam",
        "assign",
        "--node",
        "node-2",
        "--handle",
        "k8s-pod-network.on-dead-node",
        "--ipv4",
        "1");
    c.ok("ipam", "assign", "--node", "node-1", "--handle", "operator-made", "--ipv4", "1");
    c.deleteNode("node-2");
    return c;
  }

  @Test
  void onceReportsThenReleasesWhatStayedOrphanedThroughTheGrace() {
    IpamCluster c = clusterWithLeaks();
    IpamCluster.Run r =
        c.run("controller", "run", "--once", "--grace", "200ms", "--metrics-port", "-1");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("node \"node-2\": no Node resource \"node-2\"; release due at")
        .contains("handle \"k8s-pod-network.gone\": no pod with container ID gone")
        .contains("released node \"node-2\"")
        .contains("released handle \"k8s-pod-network.gone\"")
        .doesNotContain("operator-made");
    IpamCluster.Run check = c.run("ipam", "check");
    assertThat(check.out())
        .as(check.toString())
        .contains("1 handle(s); 1 address(es) in use.")
        .contains("No problems found.");
  }

  @Test
  void aDryRunChangesNothing() {
    IpamCluster c = clusterWithLeaks();
    String before = c.run("ipam", "check").out();
    IpamCluster.Run r =
        c.run("controller", "run", "--once", "--dry-run", "--grace", "0s", "--metrics-port", "-1");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("dry run: would release handle \"k8s-pod-network.gone\"");
    assertThat(c.run("ipam", "check").out()).isEqualTo(before);
  }

  @Test
  void aLeaseHeldByAnotherControllerMeansNotActing() {
    IpamCluster c = clusterWithLeaks();
    try (Datastore store = Datastores.open(c.spec(), null)) {
      Instant now = Instant.now();
      new DatastoreLeaseStore(store, 5_000)
          .create(ControllerRunCommand.LEASE_NAME, new Lease("other-controller", 60, now, now, 0));
    }
    IpamCluster.Run r =
        c.run("controller", "run", "--once", "--grace", "0s", "--metrics-port", "-1");
    assertThat(r.exitCode()).isEqualTo(ExitCode.CONFLICT);
    assertThat(r.err()).contains("held by other-controller");
    assertThat(c.run("ipam", "check").out()).contains("blocks of nodes that no longer exist: 1");
  }

  @Test
  void anOverlappingPoolStoredPastValidationIsReportedAsRefused() {
    IpamCluster c = clusterWithLeaks();
    try (Datastore store = Datastores.open(c.spec(), null)) {
      // as a racing creator or another tool could leave it: valid alone, overlapping an older pool
      store
          .create(
              new dev.netctl.datastore.Key("IPPool", "late"),
              ("{\"apiVersion\":\"netctl.dev/v1\",\"kind\":\"IPPool\",\"metadata\":"
                      + "{\"name\":\"late\",\"creationTimestamp\":\"2099-01-01T00:00:00Z\"},"
                      + "\"spec\":{\"cidr\":\"10.10.0.128/25\"}}")
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8))
          .join();
    }
    IpamCluster.Run r =
        c.run("controller", "run", "--once", "--grace", "0s", "--metrics-port", "-1");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("IPPool \"late\" Valid=False (Overlaps): refused, the dataplane ignores it:")
        .contains("spec.cidr \"10.10.0.128/25\" must not overlap IPPool")
        .containsPattern("IPPool \"[a-z0-9-]+\" Valid=True \\(Accepted\\)");
  }

  @Test
  void badTimingsAreAUsageError() {
    IpamCluster c = IpamCluster.embedded(dir);
    IpamCluster.Run r =
        c.run("controller", "run", "--once", "--lease-duration", "5s", "--renew-deadline", "5s");
    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("renewDeadline");
    IpamCluster.Run bad = c.run("controller", "run", "--grace", "soon");
    assertThat(bad.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(bad.err()).contains("\"soon\" is not a duration");
    // Go's grammar, as the resources' durations: several units in one value.
    assertThat(new DurationConverter().convert("1m30s"))
        .isEqualTo(java.time.Duration.ofSeconds(90));
  }

  @Test
  void aHealthHostThatIsNoAddressIsAUsageErrorNamingIt() {
    IpamCluster.Run r =
        IpamCluster.embedded(dir).run("controller", "run", "--health-host", "no-such-host.invalid");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err())
        .contains("--health-host \"no-such-host.invalid\" does not resolve to an address");
  }

  @Test
  void aMetricsPortOutOfRangeIsAUsageErrorFoundBeforeTheStoreIsOpened() {
    Path store = dir.resolve("sub").resolve("new.db");
    for (String port : List.of("70000", "-5")) {
      IpamCluster.Run r =
          IpamCluster.raw(
              "controller", "run", "--metrics-port", port, "--datastore", "embedded:" + store);
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.USAGE);
      assertThat(r.err()).contains("--metrics-port " + port + " is not a port: give 0..65535");
    }
    assertThat(dir.resolve("sub")).as("no store was opened").doesNotExist();
  }

  @Test
  void anAddressInUseIsUnavailableAndNamesWhatToChange() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.ofLiteral("127.0.0.1"))) {
      IpamCluster.Run r =
          IpamCluster.embedded(dir)
              .run(
                  "controller",
                  "run",
                  "--health-host",
                  "127.0.0.1",
                  "--metrics-port",
                  String.valueOf(taken.getLocalPort()));
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.UNAVAILABLE);
      assertThat(r.err())
          .contains("cannot listen on http://127.0.0.1:" + taken.getLocalPort())
          .contains("--health-host, --metrics-port");
    }
  }

  /**
   * deploy/ names each replica in the lease by its pod ($NETCTL_POD_NAME); without it (and without
   * --identity) the identity stays unset, so host name and pid are used, not the literal default.
   */
  @Test
  void theIdentityIsThePodNameFromTheEnvironmentOrElseUnset() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        System.getenv("NETCTL_POD_NAME") == null, "NETCTL_POD_NAME is set for this test run");
    var cl =
        Netctl.commandLine(
            new java.io.PrintWriter(java.io.Writer.nullWriter()),
            new java.io.PrintWriter(java.io.Writer.nullWriter()));
    var run = cl.parseArgs("controller", "run").subcommand().subcommand();
    assertThat(((ControllerRunCommand) run.commandSpec().userObject()).identity).isNull();
    assertThat(run.commandSpec().findOption("--identity").defaultValue()).isNull();
    run.commandSpec().interpolateVariables(false);
    assertThat(run.commandSpec().findOption("--identity").defaultValue())
        .isEqualTo("${env:NETCTL_POD_NAME}");
  }
}
