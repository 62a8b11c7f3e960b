package dev.netctl.ctl;

import dev.netctl.bgp.codec.AddressText;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.lease.LeaderElector;
import dev.netctl.datastore.lease.LeaseSource;
import dev.netctl.datastore.status.PoolStatusController;
import dev.netctl.datastore.status.StatusRecorder;
import dev.netctl.ipam.allocator.IpamAllocator;
import dev.netctl.ipam.allocator.ResourceEnvironment;
import dev.netctl.ipam.gc.ControllerHealth;
import dev.netctl.ipam.gc.ControllerMetrics;
import dev.netctl.ipam.gc.ControllerRunner;
import dev.netctl.ipam.gc.GcController;
import dev.netctl.ipam.gc.MetricsServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code netctl controller run}: leader election on the {@code netctl-controllers} lease, then the
 * node controller and IPAM GC every interval while leading, with Prometheus metrics. Runs until
 * stopped (SIGTERM gives the lease up), or for one pass with {@code --once}.
 */
@Command(
    name = "run",
    description =
        "Elect a leader and, while leading, release the IPAM and BGP state of deleted nodes (on"
            + " Kubernetes: nodes whose Kubernetes Node is gone, and their netctl Node) and"
            + " IPAM handles whose pod is gone, after a grace period, and record which IP pools"
            + " are refused (invalid or overlapping an older pool). Serves /metrics.")
final class ControllerRunCommand implements Callable<Integer> {
  static final String LEASE_NAME = "netctl-controllers";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin MaxMemoryOption memory;
  @ParentCommand ControllerCommand controller;

  @Option(
      names = "--grace",
      converter = DurationConverter.class,
      defaultValue = "15m",
      description = "How long state must stay orphaned before release (default ${DEFAULT-VALUE}).")
  Duration grace;

  @Option(
      names = "--interval",
      converter = DurationConverter.class,
      defaultValue = "30s",
      description = "Time between controller passes (default ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(names = "--dry-run", description = "Report what would be released; release nothing.")
  boolean dryRun;

  @Option(
      names = "--once",
      description =
          "Take the lease, run two passes --grace apart (report, then release what is still"
              + " orphaned), give the lease up and exit.")
  boolean once;

  @Option(
      names = "--identity",
      paramLabel = "ID",
      defaultValue = "${env:NETCTL_POD_NAME}",
      description =
          "This process's name in the lease (default: $NETCTL_POD_NAME, which deploy/ sets to"
              + " the pod's name, else host name and pid).")
  String identity;

  @Option(
      names = "--lease-duration",
      converter = DurationConverter.class,
      defaultValue = "15s",
      description = "Lease validity without renewal (default ${DEFAULT-VALUE}).")
  Duration leaseDuration;

  @Option(
      names = "--renew-deadline",
      converter = DurationConverter.class,
      defaultValue = "10s",
      description =
          "A leader stops acting this long after its last renewal (default ${DEFAULT-VALUE}).")
  Duration renewDeadline;

  @Option(
      names = "--retry-period",
      converter = DurationConverter.class,
      defaultValue = "2s",
      description = "Time between election rounds (default ${DEFAULT-VALUE}).")
  Duration retryPeriod;

  @Option(
      names = "--metrics-port",
      defaultValue = "9094",
      description =
          "Port of /metrics and the probes /liveness and /readiness; -1 turns them off (default"
              + " ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(
      names = "--health-host",
      paramLabel = "ADDRESS",
      defaultValue = "${env:NETCTL_HEALTH_HOST:-127.0.0.1}",
      description =
          "Address /metrics and the probes listen on (default: $NETCTL_HEALTH_HOST, which deploy/"
              + " sets to the pod's address so kubelet can probe it, else 127.0.0.1).")
  String healthHost;

  @Override
  public Integer call() throws IOException, InterruptedException {
    memory.check(spec.commandLine().getErr());
    PrintWriter out = spec.commandLine().getOut();
    Consumer<String> log =
        line -> {
          synchronized (out) {
            out.println(Instant.now() + " " + line);
            out.flush();
          }
        };
    LeaderElector.Config config;
    try {
      config =
          new LeaderElector.Config(
              LEASE_NAME, identity(), leaseDuration, renewDeadline, retryPeriod);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "controller run: " + e.getMessage());
    }
    // Before the store is opened: a usage error must not wait for (or hide behind) the datastore.
    InetSocketAddress endpoint = once ? null : endpoint();
    try (Datastore store = controller.datastore().open(StoreUse.CREATE)) {
      ResourceClient client = new ResourceClient(store);
      IpamAllocator allocator = new IpamAllocator(store, new ResourceEnvironment(client));
      LeaderElector elector =
          new LeaderElector(
              LeaseSource.forStore(
                  store, Duration.ofMillis(Math.max(1, renewDeadline.toMillis() / 2))),
              config,
              Clock.systemUTC());
      ControllerMetrics metrics = new ControllerMetrics();
      GcController gc =
          new GcController(
              client,
              allocator,
              elector::isLeader,
              Clock.systemUTC(),
              new GcController.Options(grace, dryRun),
              metrics,
              log);
      PoolStatusController pools =
          new PoolStatusController(
              client, StatusRecorder.forStore(store, "netctl-controller", log), elector::isLeader);
      if (once) return runOnce(elector, gc, pools, log);
      try (ControllerRunner runner =
              new ControllerRunner(elector, gc, pools::runPass, metrics, log);
          MetricsServer server = metrics(endpoint, metrics, runner.health(), log)) {
        log.accept(
            "controllers starting on "
                + store.address()
                + " as \""
                + config.identity()
                + "\""
                + (dryRun ? " (dry run)" : "")
                + ", grace "
                + grace
                + ", interval "
                + interval);
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown, "netctl-controller-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        runner.start(interval);
        stop.await();
      }
    }
    return ExitCode.OK;
  }

  /**
   * Two passes {@code grace} apart, renewing the lease in between: a release needs two sightings a
   * grace apart, so a single pass could only report.
   */
  private int runOnce(
      LeaderElector elector, GcController gc, PoolStatusController pools, Consumer<String> log)
      throws InterruptedException {
    if (!elector.tryAcquireOrRenew()) {
      throw new CliException(
          ExitCode.CONFLICT,
          "controller run --once: lease \""
              + LEASE_NAME
              + "\" is held by "
              + elector.observedHolder().orElse("another controller")
              + "; not acting");
    }
    try {
      gc.runPass();
      pools.runPass();
      long end = System.nanoTime() + grace.toNanos();
      while (System.nanoTime() < end) {
        Thread.sleep(
            Math.min(retryPeriod.toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        elector.tryAcquireOrRenew();
      }
      GcController.PassResult r = gc.runPass();
      if (r.stopped()) {
        throw new CliException(
            ExitCode.CONFLICT, "controller run --once: lost the lease or the datastore is locked");
      }
      log.accept(
          "pass done: "
              + r.nodesReleased()
              + " node(s) and "
              + r.handlesReleased()
              + " handle(s) released, "
              + r.plan().waiting().size()
              + " candidate(s) waiting");
    } finally {
      elector.release();
    }
    return ExitCode.OK;
  }

  /** Where /metrics and the probes listen, or null with --metrics-port -1. */
  private InetSocketAddress endpoint() {
    if (metricsPort == -1) return null;
    if (metricsPort < -1 || metricsPort > 65535) {
      throw new CliException(
          ExitCode.USAGE,
          "controller run: --metrics-port "
              + metricsPort
              + " is not a port: give 0..65535 (0 picks a free one), or -1 to turn it off");
    }
    InetSocketAddress at = new InetSocketAddress(healthHost, metricsPort);
    if (at.isUnresolved()) {
      throw new CliException(
          ExitCode.USAGE,
          "controller run: --health-host \""
              + healthHost
              + "\" does not resolve to an address: give an IP address (e.g. 127.0.0.1, or the"
              + " pod's address)");
    }
    return at;
  }

  private MetricsServer metrics(
      InetSocketAddress at,
      ControllerMetrics metrics,
      ControllerHealth health,
      Consumer<String> log) {
    if (at == null) return null;
    MetricsServer server;
    try {
      server = new MetricsServer(at, metrics::render, health);
    } catch (IOException e) {
      throw new CliException(
          ExitCode.UNAVAILABLE,
          "controller run: cannot listen on "
              + url(at.getAddress(), metricsPort)
              + " for /metrics and the probes: "
              + e.getMessage()
              + " (--health-host, --metrics-port; -1 turns them off)");
    }
    // The wildcard as asked: 0.0.0.0 is bound as [::] on a dual-stack host.
    InetAddress host =
        at.getAddress().isAnyLocalAddress() ? at.getAddress() : server.address().getAddress();
    String base = url(host, server.address().getPort());
    log.accept("metrics at " + base + "/metrics, probes at " + base + "/liveness and /readiness");
    return server;
  }

  private static String url(InetAddress host, int port) {
    return "http://" + AddressText.of(new InetSocketAddress(host, port));
  }

  private String identity() {
    if (identity != null) return identity;
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown-host";
    }
    return host + "-" + ProcessHandle.current().pid();
  }
}
