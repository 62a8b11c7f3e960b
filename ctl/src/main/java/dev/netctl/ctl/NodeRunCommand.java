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
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.FelixConfigurationSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
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

  @CommandLine.Mixin MaxMemoryOption memory;

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
    memory.check(spec.commandLine().getErr());
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
    // pods' veths) and its BGP sessions end as for a restart, so peers keep the node's routes. One
    // shutdown hook for the process closes whichever agent runs, and no agent starts after it.
    Thread hook =
        Thread.ofPlatform()
            .name("agent-shutdown")
            .unstarted(
                () -> {
                  try {
                    lifecycle.stop();
                  } catch (InterruptedException e) {
                    // the process ends either way
                  }
                });
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      FelixConfigurationSpec given = null; // read for a restart, strictly; null: read at start
      FelixConfigurationSpec working = null; // what the agent ran with before a restart
      AgentOptions refused = null; // settings a restart could not start with
      while (lifecycle.beginStart()) { // false once SIGTERM came: no agent starts after it
        Object outcome;
        try {
          outcome = runAgent(nodeName, flags, explicit, given, refused);
        } catch (Exception e) {
          lifecycle.started(null); // a start that failed: the hook need not wait for it
          // Only a start after a restart falls back; an agent that ran and then failed exits.
          if (working == null || ran || lifecycle.stopping()) throw e;
          // A change the agent cannot start with (a health host that does not resolve, a port in
          // use) must not take the node down: back to the settings it ran with, and that change
          // is not tried again until FelixConfiguration changes once more.
          System.getLogger("netctl.agent")
              .log(
                  System.Logger.Level.ERROR,
                  "the agent did not start with the changed FelixConfiguration ({0}): starting it"
                      + " again with the settings it had",
                  e.getMessage());
          refused = FelixSettings.apply(flags, explicit, given);
          given = working;
          working = null;
          continue;
        }
        if (outcome instanceof Restart r) {
          given = r.next();
          working = r.current();
          refused = null;
        } else {
          return (Integer) outcome;
        }
      }
      return ExitCode.OK;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down: the hook closes the agent
      }
    }
  }

  // Which agent the shutdown hook closes, waiting for one that is starting. A close takes well
  // under a second; these waits bound a start, a CNI request or a loop that hangs, and the
  // DaemonSet's 10 s grace (then SIGKILL) bounds them all together.
  private final AgentLifecycle lifecycle = new AgentLifecycle(Duration.ofSeconds(5));
  // Whether the agent of the current runAgent got as far as running.
  private boolean ran;

  /** A FelixConfiguration change the agent restarts for: what it reads now, what it ran with. */
  private record Restart(FelixConfigurationSpec next, FelixConfigurationSpec current) {}

  /**
   * One agent's life, from opening the store to closing it: the exit code, or a {@link Restart}
   * when a FelixConfiguration change asks for the agent to start again with what it now says.
   *
   * @param given the FelixConfiguration to run with, or null to read it
   * @param refused settings a change is not restarted for (a restart failed with them)
   */
  private Object runAgent(
      String nodeName,
      AgentOptions flags,
      Set<String> explicit,
      FelixConfigurationSpec given,
      AgentOptions refused)
      throws Exception {
    ran = false;
    Datastore store = node.datastore().open(StoreUse.CREATE);
    ResourceClient client = new ResourceClient(store);
    // FelixConfiguration fills in what no flag or environment variable set (Felix's precedence:
    // environment over node.<name> over default). Its revision first: a change after it is seen
    // by the watch below, even one made before the read.
    long felixRevision = FelixWatch.revision(store, true);
    FelixConfigurationSpec felix = given != null ? given : FelixSettings.read(client, nodeName);
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
    } catch (Exception e) {
      agent.close(); // the store with it
      if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
        throw new CliException(ExitCode.USAGE, e.getMessage());
      }
      throw e;
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
    Runnable closeOnce =
        AgentLifecycle.once(
            () -> {
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
            });
    if (lifecycle.started(closeOnce)) { // SIGTERM came while this agent started
      closeOnce.run();
      return ExitCode.OK;
    }
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
    ran = true;
    FelixWatch watch = new FelixWatch(client, store, nodeName, felixRevision, FelixWatch.RETRY);
    Restart restart = null;
    boolean unanswered = false;
    try {
      // Bounded waits, so that a FelixConfiguration change is looked at within a second.
      while (!agent.awaitStopped(FELIX_CHECK)) {
        watch.renewIfLost();
        if (!watch.changed.getAndSet(false)) continue;
        FelixConfigurationSpec now;
        try {
          now = FelixSettings.read(client, nodeName, true);
        } catch (DatastoreException e) {
          if (!unanswered) {
            System.getLogger("netctl.agent")
                .log(
                    System.Logger.Level.WARNING,
                    "FelixConfiguration changed but cannot be read ({0}): the agent keeps its"
                        + " settings and reads it again every second",
                    e.getMessage());
          }
          unanswered = true;
          watch.changed.set(true);
          continue;
        }
        unanswered = false;
        AgentOptions wanted = FelixSettings.apply(flags, explicit, now);
        List<String> changes = FelixSettings.changes(options, wanted);
        if (!changes.isEmpty() && !wanted.equals(refused)) {
          System.getLogger("netctl.agent")
              .log(
                  System.Logger.Level.WARNING,
                  "FelixConfiguration changed ({0}): restarting the agent to apply it",
                  String.join(", ", changes));
          restart = new Restart(now, felix);
          break;
        }
      }
    } catch (InterruptedException e) {
      // in-process stop
    } finally {
      watch.close();
      closeOnce.run();
      lifecycle.closed();
    }
    if (restart != null && !lifecycle.stopping()) {
      if (agent.stuck()) {
        // A loop still applying beside a new agent could write the old settings back.
        throw new CliException(
            ExitCode.ERROR,
            "node agent "
                + nodeName
                + ": its loop did not stop within 10 s to restart for the FelixConfiguration"
                + " change; exiting instead (start it again to apply the change)");
      }
      return restart;
    }
    if (agent.failure().isPresent()) {
      throw new CliException(
          ExitCode.ERROR, "node agent " + nodeName + " stopped: " + agent.failure().get());
    }
    return ExitCode.OK;
  }

  // How often the agent's wait looks at whether a FelixConfiguration changed.
  private static final Duration FELIX_CHECK = Duration.ofSeconds(1);

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
