package dev.netctl.ctl;

import dev.netctl.agent.cni.CniPlugin;
import dev.netctl.agent.cni.CniServer;
import dev.netctl.agent.cni.CniService;
import dev.netctl.agent.cni.PodInfo;
import dev.netctl.agent.cni.PodPlumbing;
import dev.netctl.agent.kernel.NetlinkKernel;
import dev.netctl.agent.node.AgentOptions;
import dev.netctl.agent.node.NodeAgent;
import dev.netctl.agent.policy.NftCommand;
import dev.netctl.agent.routing.RouterId;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.Watch;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.client.ResourceEvent;
import dev.netctl.datastore.model.FelixConfiguration;
import dev.netctl.datastore.model.FelixConfigurationSpec;
import dev.netctl.datastore.model.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code netctl node run}: this node's agent in the foreground until SIGINT/SIGTERM. Stopping it
 * leaves the kernel as it is, so pods keep their routes until the next agent reconciles them.
 */
@Command(name = "run", description = "Run the node agent in the foreground until SIGTERM.")
final class NodeRunCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @ParentCommand NodeCommand node;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      defaultValue = "${env:NETCTL_NODENAME:-${env:NETCTL_NODE_NAME}}",
      description =
          "This node's name (default: $NETCTL_NODENAME or $NETCTL_NODE_NAME, then the host name).")
  String name;

  @Option(
      names = "--ip",
      paramLabel = "auto|ADDR/LEN|none",
      defaultValue = "${env:NETCTL_IP:-auto}",
      description =
          "The node's IPv4 address with its subnet, auto (default) or none (an IPv6-only node;"
              + " $NETCTL_IP).")
  String ip;

  @Option(
      names = "--ip6",
      paramLabel = "auto|ADDR/LEN|none",
      defaultValue = "${env:NETCTL_IP6:-auto}",
      description = "The node's IPv6 address, auto (default) or none ($NETCTL_IP6).")
  String ip6;

  @Option(
      names = "--router-id",
      paramLabel = "A.B.C.D|hash",
      defaultValue = "${env:NETCTL_ROUTER_ID}",
      description =
          "BGP router id: a dotted quad, or hash (derived from the node name). Default: the IPv4"
              + " address, hash on an IPv6-only node ($NETCTL_ROUTER_ID; Calico's"
              + " CALICO_ROUTER_ID).")
  String routerId;

  @Option(
      names = "--ip-autodetection",
      paramLabel = "METHOD",
      defaultValue = "${env:NETCTL_IP_AUTODETECTION_METHOD:-first-found}",
      description =
          "first-found (default), interface=REGEX, can-reach=ADDR or cidr=CIDR"
              + " ($NETCTL_IP_AUTODETECTION_METHOD).")
  String autodetection;

  @Option(
      names = "--vxlan-vni",
      defaultValue = "${env:NETCTL_VXLAN_VNI:-4096}",
      description = "VXLAN network identifier (default 4096).")
  int vni;

  @Option(
      names = "--vxlan-port",
      defaultValue = "${env:NETCTL_VXLAN_PORT:-4789}",
      description = "VXLAN UDP port (default 4789).")
  int vxlanPort;

  @Option(
      names = "--mtu",
      defaultValue = "${env:NETCTL_MTU:-0}",
      description = "Pod MTU; 0 (default) derives it from the parent interface.")
  int mtu;

  @Option(
      names = "--health-host",
      defaultValue = "${env:NETCTL_HEALTH_HOST:-127.0.0.1}",
      description = "Address of the health, metrics and status endpoint (default 127.0.0.1).")
  String healthHost;

  @Option(
      names = "--health-port",
      defaultValue = "${env:NETCTL_HEALTH_PORT:-9099}",
      description = "Port of /liveness, /readiness, /metrics, /status (default 9099; 0 = off).")
  int healthPort;

  @Option(
      names = "--secrets-dir",
      defaultValue = "${env:NETCTL_SECRETS_DIR:-/etc/netctl/secrets}",
      description = "Where BGP password secrets are read: DIR/<secret>/<key>.")
  Path secretsDir;

  @Option(
      names = "--cni-socket",
      paramLabel = "PATH|none",
      defaultValue = "${env:NETCTL_CNI_SOCKET:-" + CniPlugin.DEFAULT_SOCKET + "}",
      description =
          "Where the CNI plugin reaches this agent (default "
              + CniPlugin.DEFAULT_SOCKET
              + "; none = no CNI socket).")
  String cniSocket;

  @Option(
      names = "--resync-interval",
      defaultValue = "90",
      paramLabel = "SECONDS",
      description = "Full re-read of the kernel every SECONDS (default 90).")
  int resyncSeconds;

  private static void inRange(String option, int value, int min, int max, String rule) {
    if (value < min || value > max) {
      throw new CliException(ExitCode.USAGE, option + " " + value + ": must be " + rule);
    }
  }

  @Override
  public Integer call() throws Exception {
    String nodeName = name;
    if (nodeName == null || nodeName.isBlank()) nodeName = hostName();
    if (resyncSeconds < 1) {
      throw new CliException(
          ExitCode.USAGE, "--resync-interval " + resyncSeconds + ": must be at least 1 second");
    }
    // Before the store opens or the kernel is touched: the agent would run with any of these.
    if (mtu != 0) inRange("--mtu", mtu, 68, 65535, "0 (derived) or 68-65535");
    inRange("--vxlan-vni", vni, 0, 16_777_215, "0-16777215 (24 bits)");
    inRange("--vxlan-port", vxlanPort, 1, 65535, "1-65535");
    inRange("--health-port", healthPort, 0, 65535, "0-65535 (0 = off)");
    String idProblem = RouterId.problem(routerId);
    if (idProblem != null) {
      throw new CliException(ExitCode.USAGE, "--router-id " + routerId + ": " + idProblem);
    }
    if ("none".equals(ip) && "none".equals(ip6)) {
      throw new CliException(
          ExitCode.USAGE,
          "--ip none and --ip6 none: a node needs an IPv4 or an IPv6 address to route and peer");
    }
    if (!"none".equals(cniSocket) && !cniSocket.startsWith("/")) {
      throw new CliException(
          ExitCode.USAGE, "--cni-socket " + cniSocket + ": must be an absolute path or none");
    }
    AgentOptions flags =
        new AgentOptions(
            nodeName,
            ip,
            ip6,
            autodetection,
            vni,
            vxlanPort,
            mtu,
            healthHost,
            healthPort,
            secretsDir,
            Duration.ofSeconds(resyncSeconds),
            routerId == null || routerId.isEmpty() ? null : routerId,
            AgentOptions.TunnelMtus.DERIVED);
    Set<String> explicit = explicitFlags();
    // Felix restarts itself when a FelixConfiguration change alters a setting it took at start; the
    // agent does the same in this process. Closing it leaves the kernel as it is (routes, devices,
    // pods' veths) and its BGP sessions end as for a restart, so peers keep the node's routes.
    while (true) {
      Integer exit = runAgent(nodeName, flags, explicit);
      if (exit != null) return exit;
    }
  }

  /**
   * One agent's life, from opening the store to closing it: the exit code, or null when a
   * FelixConfiguration change asks for the agent to start again with what it now says.
   */
  private Integer runAgent(String nodeName, AgentOptions flags, Set<String> explicit)
      throws Exception {
    Datastore store = node.datastore().open(StoreUse.CREATE);
    ResourceClient client = new ResourceClient(store);
    // FelixConfiguration fills in what no flag or environment variable set (Felix's precedence:
    // environment over node.<name> over default). Its revision first: a change after it is seen
    // by the watch below, even one made before the read.
    long felixRevision = felixRevision(client);
    FelixConfigurationSpec felix = FelixSettings.read(client, nodeName);
    AgentOptions options = FelixSettings.apply(flags, explicit, felix);
    List<String> taken = FelixSettings.taken(explicit, felix);
    if (!taken.isEmpty()) {
      System.getLogger("netctl.agent")
          .log(
              System.Logger.Level.INFO,
              "FelixConfiguration (default, node.{0}): {1}",
              nodeName,
              String.join(", ", taken));
    }
    // On Kubernetes the node is a Kubernetes Node: its name must be one, its labels are the ones
    // selectors see, and the CNI side reads pods from the API.
    KubernetesNode k8s = null;
    if (KubernetesNode.isKubernetes(store)) {
      try {
        k8s = KubernetesNode.check(store, nodeName);
      } catch (RuntimeException e) {
        store.close();
        throw e;
      }
    }
    NodeAgent agent = new NodeAgent(options, store, new NetlinkKernel(), NftCommand.binary(null));
    try {
      agent.start();
    } catch (IllegalArgumentException | IllegalStateException e) {
      agent.close();
      throw new CliException(ExitCode.USAGE, e.getMessage());
    }
    AutoCloseable labels = k8s == null ? () -> {} : k8s.mirrorLabels();
    AutoCloseable network = k8s == null ? () -> {} : k8s.markNetworkAvailable();
    CniServer cni = null;
    if (!"none".equals(cniSocket)) {
      try {
        cni =
            new CniServer(
                new CniService(
                    agent.client(),
                    agent.ipam(),
                    nodeName,
                    agent::podMtu,
                    agent::dataplaneReady,
                    k8s == null ? PodInfo.NONE : k8s.podInfo(),
                    new PodPlumbing(null)),
                Path.of(cniSocket));
      } catch (java.io.IOException e) {
        closeQuietly(network);
        closeQuietly(labels);
        agent.close();
        throw new CliException(
            ExitCode.UNAVAILABLE,
            "--cni-socket " + cniSocket + ": cannot listen: " + e.getMessage());
      }
    }
    CniServer cniServer = cni;
    AtomicBoolean closed = new AtomicBoolean();
    Runnable closeOnce =
        () -> {
          if (!closed.compareAndSet(false, true)) return;
          if (cniServer != null) {
            try {
              cniServer.close();
            } catch (java.io.IOException e) {
              // the socket file is replaced on the next start anyway
            }
          }
          closeQuietly(network);
          closeQuietly(labels);
          agent.close();
        };
    Thread hook = Thread.ofPlatform().name("agent-shutdown").unstarted(closeOnce);
    Runtime.getRuntime().addShutdownHook(hook);
    var out = spec.commandLine().getOut();
    out.println(
        "node agent "
            + nodeName
            + " running"
            + (agent.healthPort() > 0
                ? ", status on " + options.healthHost() + ":" + agent.healthPort()
                : "")
            + (cniServer != null ? ", CNI socket " + cniSocket : ""));
    out.flush();
    AtomicBoolean felixChanged = new AtomicBoolean();
    Watch felixWatch = watchFelix(client, felixRevision, nodeName, felixChanged);
    boolean restart = false;
    try {
      // Bounded waits, so that a FelixConfiguration change is looked at within a second.
      while (!agent.awaitStopped(FELIX_CHECK)) {
        if (felixChanged.getAndSet(false)) {
          List<String> changes = felixChanges(client, nodeName, flags, explicit, options);
          if (changes == null) {
            felixChanged.set(true); // the store did not answer: look again at the next check
          } else if (!changes.isEmpty()) {
            System.getLogger("netctl.agent")
                .log(
                    System.Logger.Level.WARNING,
                    "FelixConfiguration changed ({0}): restarting the agent to apply it",
                    String.join(", ", changes));
            restart = true;
            break;
          }
        }
      }
    } catch (InterruptedException e) {
      // in-process stop
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down: the hook closes the agent
      }
      if (felixWatch != null) felixWatch.close();
      closeOnce.run();
    }
    if (restart) return null;
    if (agent.failure().isPresent()) {
      throw new CliException(
          ExitCode.ERROR, "node agent " + nodeName + " stopped: " + agent.failure().get());
    }
    return ExitCode.OK;
  }

  // How often the agent's wait looks at whether a FelixConfiguration changed.
  private static final Duration FELIX_CHECK = Duration.ofSeconds(1);

  // The revision FelixConfiguration is read at, or -1 when the kind cannot be listed (on
  // Kubernetes before its CRD is installed): the agent then runs on what it read, unwatched.
  private static long felixRevision(ResourceClient client) {
    try {
      return client.listWithRevision(Kind.FELIX_CONFIGURATION).revision();
    } catch (RuntimeException e) {
      // Any failure: the agent must start without the watch, as it starts without the objects.
      System.getLogger("netctl.agent")
          .log(
              System.Logger.Level.WARNING,
              "FelixConfiguration not watched ({0}): restart the agent to apply a change",
              e.getMessage());
      return -1;
    }
  }

  // Marks {@code changed} for every change of the cluster's or this node's FelixConfiguration (or a
  // lost watch); the agent's wait reads them again, not this callback (the store's watch thread).
  private static Watch watchFelix(
      ResourceClient client, long revision, String nodeName, AtomicBoolean changed) {
    if (revision < 0) return null;
    String own = FelixConfiguration.NODE_PREFIX + nodeName;
    try {
      return client.watch(
          Kind.FELIX_CONFIGURATION,
          revision,
          ev -> {
            String name =
                switch (ev) {
                  case ResourceEvent.Put<FelixConfiguration> p -> p.resource().metadata().name();
                  case ResourceEvent.Deleted<FelixConfiguration> d -> d.name();
                  case ResourceEvent.Undecodable<FelixConfiguration> u -> u.name();
                  case ResourceEvent.ResyncNeeded<FelixConfiguration> r -> null;
                };
            if (name == null || name.equals(FelixConfiguration.DEFAULT_NAME) || name.equals(own)) {
              changed.set(true);
            }
          });
    } catch (DatastoreException e) {
      System.getLogger("netctl.agent")
          .log(
              System.Logger.Level.WARNING,
              "FelixConfiguration not watched ({0}): restart the agent to apply a change",
              e.getMessage());
      return null;
    }
  }

  // What a FelixConfiguration change alters in what the agent runs with; null when the store could
  // not be read.
  private static List<String> felixChanges(
      ResourceClient client,
      String nodeName,
      AgentOptions flags,
      Set<String> explicit,
      AgentOptions running) {
    try {
      FelixConfigurationSpec now = FelixSettings.read(client, nodeName, true);
      return FelixSettings.changes(running, FelixSettings.apply(flags, explicit, now));
    } catch (DatastoreException e) {
      return null;
    }
  }

  /**
   * The flags FelixConfiguration must not override: given on the command line, or through their
   * environment variable (the DaemonSet sets {@code NETCTL_HEALTH_PORT} beside its probes).
   */
  private Set<String> explicitFlags() {
    Map<String, String> env =
        Map.of(
            "--vxlan-vni", "NETCTL_VXLAN_VNI",
            "--vxlan-port", "NETCTL_VXLAN_PORT",
            "--health-host", "NETCTL_HEALTH_HOST",
            "--health-port", "NETCTL_HEALTH_PORT");
    Set<String> out = new HashSet<>();
    for (String flag : FelixSettings.FLAGS) {
      boolean given = spec.commandLine().getParseResult().hasMatchedOption(flag);
      String var = env.get(flag);
      if (given || (var != null && System.getenv(var) != null)) out.add(flag);
    }
    return out;
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // stopping anyway
    }
  }

  private static String hostName() {
    try {
      return java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    } catch (java.io.IOException e) {
      throw new CliException(ExitCode.USAGE, "--name is required (no host name readable)");
    }
  }
}
