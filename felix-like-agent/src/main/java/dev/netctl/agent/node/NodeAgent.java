package dev.netctl.agent.node;

import dev.netctl.agent.calc.BlockInfo;
import dev.netctl.agent.calc.Calculator;
import dev.netctl.agent.calc.ClusterState;
import dev.netctl.agent.calc.DesiredState;
import dev.netctl.agent.calc.NodeInfo;
import dev.netctl.agent.calc.PoolInfo;
import dev.netctl.agent.calc.WorkloadInfo;
import dev.netctl.agent.dataplane.NatManager;
import dev.netctl.agent.dataplane.RouteManager;
import dev.netctl.agent.dataplane.VxlanManager;
import dev.netctl.agent.kernel.Kernel;
import dev.netctl.agent.kernel.Link;
import dev.netctl.agent.kernel.Ownership;
import dev.netctl.agent.kernel.Vxlan;
import dev.netctl.agent.policy.PolicyManager;
import dev.netctl.agent.routing.BgpRouting;
import dev.netctl.agent.routing.PeerPlanner;
import dev.netctl.agent.routing.RouterId;
import dev.netctl.agent.syncer.Syncer;
import dev.netctl.bgp.speaker.PeerStatus;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.DatastoreException;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.BGPConfigurationSpec;
import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.model.EncapsulationMode;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.model.NodeBGPSpec;
import dev.netctl.datastore.model.NodeSpec;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.WorkloadEndpoint;
import dev.netctl.ipam.IpamException;
import dev.netctl.ipam.allocator.AssignRequest;
import dev.netctl.ipam.allocator.AssignResult;
import dev.netctl.ipam.allocator.IpamAllocator;
import dev.netctl.ipam.allocator.PoolSpec;
import dev.netctl.ipam.allocator.ResourceEnvironment;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One node's agent: the process {@code netctl node run} starts. Wires the syncer, the calculation,
 * the dataplane managers, the BGP speaker and the health endpoint, and runs the apply loop on one
 * thread.
 *
 * <p>The loop wakes on any datastore or BGP change (coalesced: a burst of changes is one apply), on
 * the resync timer and after a failure's backoff. Nothing touches the kernel before the syncer is
 * in sync; the first apply re-reads what we own in the kernel and changes only what differs, so a
 * restarted agent removes no route that is still wanted. A change of policy inputs alone (a policy,
 * tier, profile or another node's workload endpoint) goes to the policy manager only: no
 * calculation, no route, VXLAN or NAT work.
 */
public final class NodeAgent implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger("netctl.agent");

  /** Node annotation that tells peers this node carries IPIP pools over VXLAN. */
  public static final String IPIP_FALLBACK_ANNOTATION = "netctl.dev/ipip-fallback";

  private static final java.util.Set<String> OWN_DEVICES =
      java.util.Set.of(Ownership.VXLAN_V4, Ownership.VXLAN_V6, Ownership.IPIP);

  static final int VXLAN_OVERHEAD_V4 = 50;
  static final int VXLAN_OVERHEAD_V6 = 70;
  static final int IPIP_OVERHEAD = 20;

  private final AgentOptions options;
  private final Datastore datastore;
  private final Kernel kernel;
  private final ResourceClient client;
  private final IpamAllocator ipam;
  private final Syncer syncer;
  private final Calculator calculator;
  private final PeerPlanner planner;
  private final RouteManager routes;
  private final VxlanManager vxlan4;
  private final VxlanManager vxlan6;
  private final NatManager nat;
  private final PolicyManager policy;
  // What the policy manager was last given, by kind and storage name: fed as differences.
  private final Map<Syncer.PolicyKey, Resource> policyFed = new HashMap<>();
  // Full calculations run (a policy input alone does not run one): for tests.
  volatile int fullApplies;
  private final Metrics metrics = new Metrics();
  private final Semaphore wake = new Semaphore(0);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Clock clock = Clock.systemUTC();

  private volatile boolean running = true;
  private volatile AgentStatus status;
  private volatile boolean firstApplyDone;
  private volatile long lastLoop = System.nanoTime();
  private final long startNanos = System.nanoTime();
  private volatile int podMtu;
  private Thread loop;
  private HealthServer health;
  private BgpRouting bgp;

  private Cidr ipv4; // null on an IPv6-only node
  private Cidr ipv6;
  private Inet4Address routerId;
  private List<String> collisionsWarned = List.of();
  private String parent;
  private int parentMtu = 1500;
  private Boolean ipipSupported;
  private boolean sysctlsDone;
  private final boolean[] tunnelPending = new boolean[2];
  private final boolean[] noTunnelPoolWarned = new boolean[2];
  // Workload veths whose routes wait for them (withoutAbsentWorkloadDevices); read by the link
  // monitor's thread.
  private final Set<String> awaitedDevices = java.util.concurrent.ConcurrentHashMap.newKeySet();
  // The kernel's gateway toward each BGP next hop off our subnets (resolveNextHops): one `ip route
  // get` per next hop until the next resync, which link and address events also bring.
  private final Map<InetAddress, Optional<InetAddress>> nextHopGateways = new HashMap<>();
  private volatile boolean learnedChanged;
  private volatile boolean resyncRequested;
  private volatile String failure;
  private volatile boolean datastoreReachable = true;
  private boolean forceFull;
  private AutoCloseable linkWatch;
  private final dev.netctl.agent.policy.NftCommand nft;
  // The inputs of the last full calculation, for applying a single new block without a new one.
  private ClusterState lastState;

  /** An agent whose policy reaches nftables through {@code kernel} (the tests' fake kernel). */
  public NodeAgent(AgentOptions options, Datastore datastore, Kernel kernel) {
    this(options, datastore, kernel, nftCommand(kernel));
  }

  /**
   * @param nft how policy reaches nftables: on a real node {@link
   *     dev.netctl.agent.policy.NftCommand#binary}, which sends set element changes over netlink;
   *     the agent closes it with itself
   */
  public NodeAgent(
      AgentOptions options,
      Datastore datastore,
      Kernel kernel,
      dev.netctl.agent.policy.NftCommand nft) {
    this.options = options;
    this.datastore = datastore;
    this.kernel = kernel;
    this.client = new ResourceClient(datastore);
    this.ipam = new IpamAllocator(datastore, new ResourceEnvironment(client));
    this.syncer = new Syncer(datastore, this::poke);
    this.calculator = new Calculator(options.nodeName());
    this.planner = new PeerPlanner(options.nodeName(), options.secretsDir());
    this.routes = new RouteManager(kernel);
    this.vxlan4 = new VxlanManager(kernel, Ownership.VXLAN_V4);
    this.vxlan6 = new VxlanManager(kernel, Ownership.VXLAN_V6);
    this.nat = new NatManager(kernel);
    this.nft = nft;
    this.policy = new PolicyManager(options.nodeName(), Ownership.IFACE_PREFIX, nft);
    this.status = AgentStatus.starting(options.nodeName());
  }

  /** Detects the node's addresses, starts the health endpoint and the apply loop; returns. */
  public void start() throws Exception {
    detectAddresses();
    if (options.healthPort() > 0) {
      health =
          new HealthServer(
              options.healthHost(),
              options.healthPort(),
              this::live,
              this::ready,
              metrics,
              () -> status);
    }
    bgp =
        new BgpRouting(
            ipv4 == null ? null : ipv4.address(),
            ipv6 == null ? null : ipv6.address(),
            this::needFullPass,
            // The status and readiness are written by a full pass only: without one when a session
            // comes up or goes down they kept the last pass's view, e.g. "Active" for good after a
            // graceful-restart flap that brought the very same routes back.
            this::needFullPass);
    linkWatch =
        kernel.watchLinks(
            (name, deleted) -> {
              // Workload veths come and go with pods and their routes follow the endpoints. Our
              // own tunnel devices change when we write them (each write is an event: re-reading
              // on those would loop); only their removal by someone else matters. Any other link
              // change (the parent, an address) can invalidate routes behind our back.
              if (name.startsWith(Ownership.IFACE_PREFIX)) {
                if (!deleted && awaitedDevices.contains(name)) poke(); // its route waits for it
                return;
              }
              if (!deleted && OWN_DEVICES.contains(name)) return;
              resyncRequested = true;
              poke();
            });
    loop = Thread.ofPlatform().name("netctl-agent").start(this::run);
    Thread.ofVirtual().name("netctl-datastore-probe").start(this::probeDatastore);
  }

  /** The port the health endpoint listens on (0 when off). */
  public int healthPort() {
    return health == null ? 0 : health.port();
  }

  /** The MTU pods on this node should use (0 before the first apply). */
  public int podMtu() {
    return podMtu;
  }

  /** The current status. */
  public AgentStatus status() {
    return status;
  }

  /** The metrics. */
  public Metrics metrics() {
    return metrics;
  }

  /**
   * Whether pods may be plumbed: the datastore is in sync and the first apply is done, so the MTU
   * is known and the node's routes exist. BGP sessions need not be up.
   */
  public boolean dataplaneReady() {
    return syncer.inSync() && firstApplyDone && datastoreReachable;
  }

  /** The datastore client the agent uses, for components wired beside it (the CNI server). */
  public ResourceClient client() {
    return client;
  }

  /** The IPAM allocator the agent uses. */
  public IpamAllocator ipam() {
    return ipam;
  }

  /** Why the agent stopped by itself, if it did (empty while it runs or after {@link #close}). */
  public Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  /** Waits until the agent has stopped. */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  /**
   * Whether {@link #close} gave up waiting for the loop (10 s): it may still be applying, so
   * another agent must not start in this process beside it.
   */
  public boolean stuck() {
    return stuck;
  }

  private volatile boolean stuck;

  /** Waits at most {@code timeout} for the agent to stop; whether it has. */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  boolean live() {
    return running && System.nanoTime() - lastLoop < options.resyncInterval().toNanos() * 3;
  }

  boolean ready() {
    return status.ready() && datastoreReachable;
  }

  /**
   * Reads this node's Node every few seconds: while the datastore does not answer the agent keeps
   * the dataplane as it is (watches resume by themselves) but reports not ready.
   */
  private void probeDatastore() {
    dev.netctl.datastore.Key key =
        new dev.netctl.datastore.Key(Kind.NODE.storageKind(), options.nodeName());
    while (running) {
      boolean ok;
      try {
        datastore.get(key).get(5, TimeUnit.SECONDS);
        ok = true;
      } catch (Exception e) {
        ok = false;
      }
      if (ok != datastoreReachable) {
        LOG.log(
            ok ? Level.INFO : Level.WARNING,
            ok
                ? "datastore {0} reachable again"
                : "datastore {0} unreachable: dataplane kept as it is, not ready",
            datastore.address());
        datastoreReachable = ok;
      }
      try {
        Thread.sleep(5_000);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Wakes the loop for a full pass (from the speaker's event loop: only sets a flag). */
  private void needFullPass() {
    learnedChanged = true;
    poke();
  }

  private void poke() {
    if (wake.availablePermits() == 0) wake.release();
  }

  /**
   * The node's addresses and the interface that holds the IPv4 one (the IPv6 one on an IPv6-only
   * node), as detected.
   */
  private record Addresses(Cidr ipv4, Cidr ipv6, String parent, int parentMtu) {}

  private void detectAddresses() {
    use(detect());
    LOG.log(
        Level.INFO,
        "node {0}: {1}{2} on {3} (MTU {4}), BGP router id {5}",
        options.nodeName(),
        ipv4 == null ? "no IPv4 (IPv6-only)" : "IPv4 " + ipv4,
        ipv6 == null ? "" : ", IPv6 " + ipv6,
        parent,
        Integer.toString(parentMtu),
        Cidr.format(routerId));
  }

  private Addresses detect() {
    List<Link> links = kernel.links();
    boolean noV4 = "none".equals(options.ip());
    Cidr v4 = noV4 ? null : address(links, options.ip(), false);
    Cidr v6 = "none".equals(options.ip6()) ? null : address(links, options.ip6(), true);
    // Calico's IP=none; or auto-detection found no IPv4 but an IPv6 address: an IPv6-only node.
    if (v4 == null && v6 == null) {
      throw new IllegalStateException(
          "node "
              + options.nodeName()
              + ": no "
              + (noV4 ? "" : "IPv4 or ")
              + "IPv6 address found by ip-autodetection "
              + options.autodetection()
              + (noV4 ? " with --ip none (set --ip6 ADDR/LEN)" : " (set --ip ADDR/LEN)"));
    }
    if (v4 != null)
      held(links, v4, AddressDetector.linkOf(links, v4.address()).isPresent(), "--ip");
    if (v6 != null)
      held(links, v6, AddressDetector.linkOf(links, v6.address()).isPresent(), "--ip6");
    Link p = AddressDetector.linkOf(links, (v4 != null ? v4 : v6).address()).orElse(null);
    return new Addresses(v4, v6, p == null ? null : p.name(), p == null ? 1500 : p.mtu());
  }

  /**
   * A detected address is on an interface by construction; one given by hand must be too: the agent
   * needs the interface (the VXLAN parent, the MTU) and BGP binds the address.
   */
  private void held(List<Link> links, Cidr address, boolean held, String option) {
    if (held) return;
    throw new IllegalArgumentException(
        "node "
            + options.nodeName()
            + ": "
            + option
            + " "
            + address
            + ": no interface of this node has it (interfaces: "
            + links.stream().map(Link::name).toList()
            + ")");
  }

  private void use(Addresses a) {
    ipv4 = a.ipv4();
    ipv6 = a.ipv6();
    parent = a.parent();
    parentMtu = a.parentMtu();
    routerId =
        RouterId.resolve(
            options.routerId(), options.nodeName(), ipv4 == null ? null : ipv4.address());
  }

  /**
   * Detects the addresses again (at each resync, which an address event also requests), as
   * calico-node re-checks its own every minute: a node whose address changed must re-register it,
   * or every other node keeps peering with and routing to the old one, and its BGP speaker must
   * listen on the new one. A detection that finds nothing (the old address removed before the new
   * one is added) keeps the old addresses until the next try.
   */
  private void redetectAddresses() {
    Addresses now;
    try {
      now = detect();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "address detection failed, keeping {0}: {1}", ipv4, e.getMessage());
      return;
    }
    Addresses was = new Addresses(ipv4, ipv6, parent, parentMtu);
    if (now.equals(was)) return;
    if (was.ipv4() != null && now.ipv4() == null) {
      // Auto-detection that lost the IPv4 address (removed before the new one is added) does not
      // turn a dual-stack or IPv4 node into an IPv6-only one: kept until it is back.
      LOG.log(Level.WARNING, "no IPv4 address found by address detection, keeping {0}", ipv4);
      return;
    }
    use(now);
    if (java.util.Objects.equals(now.ipv4(), was.ipv4())
        && java.util.Objects.equals(now.ipv6(), was.ipv6())) return;
    LOG.log(
        Level.WARNING,
        "node {0}: addresses changed from {1}{2} to {3}{4} on {5}: re-registering, BGP restarts",
        options.nodeName(),
        was.ipv4() == null ? "no IPv4" : was.ipv4(),
        was.ipv6() == null ? "" : ", " + was.ipv6(),
        ipv4 == null ? "no IPv4" : ipv4,
        ipv6 == null ? "" : ", " + ipv6,
        parent);
    bgp.moveTo(ipv4 == null ? null : ipv4.address(), ipv6 == null ? null : ipv6.address());
    registerNode();
  }

  private Cidr address(List<Link> links, String spec, boolean v6) {
    if (spec == null || spec.equals("auto")) {
      String method = options.autodetection();
      if (method != null && method.startsWith("can-reach=")) {
        InetAddress target = Cidr.parseAddress(method.substring("can-reach=".length()));
        if ((target instanceof Inet4Address) == v6) return null;
        InetAddress src = RouteGet.source(target);
        return src == null ? null : AddressDetector.withPrefix(links, src).orElse(null);
      }
      return AddressDetector.detect(links, method, v6).orElse(null);
    }
    Cidr c = Cidr.parseAddressOrCidr(spec);
    if (c.isIPv4() == v6) {
      throw new IllegalArgumentException(
          "node "
              + options.nodeName()
              + ": "
              + spec
              + " is not an IPv"
              + (v6 ? 6 : 4)
              + " address");
    }
    // A bare address takes the prefix length of the interface that holds it.
    if (spec.indexOf('/') < 0) return AddressDetector.withPrefix(links, c.address()).orElse(c);
    return c;
  }

  private void run() {
    try {
      syncer.start();
      registerNode();
      Instant nextResync = clock.instant().plus(options.resyncInterval());
      long backoffMs = 0;
      while (running) {
        lastLoop = System.nanoTime();
        long waitMs =
            backoffMs > 0
                ? backoffMs
                : Math.max(1, Duration.between(clock.instant(), nextResync).toMillis());
        boolean woke = wake.tryAcquire(waitMs, TimeUnit.MILLISECONDS);
        if (!running) break;
        wake.drainPermits();
        if (resyncRequested || (!woke && clock.instant().isAfter(nextResync))) {
          resyncRequested = false;
          redetectAddresses();
          resync();
          nextResync = clock.instant().plus(options.resyncInterval());
        }
        if (!syncer.inSync()) continue;
        try {
          boolean clean = applyOnce();
          backoffMs = clean ? 0 : Math.min(Math.max(100, backoffMs * 2), 10_000);
        } catch (RuntimeException e) {
          metrics.applyErrors.incrementAndGet();
          LOG.log(Level.WARNING, "apply failed: {0}; retrying", e.getMessage());
          status = withError(e.getMessage());
          backoffMs = Math.min(Math.max(100, backoffMs * 2), 10_000);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) { // also what a library throws undeclared (Netty's IOExceptions)
      failure = e.toString();
      LOG.log(Level.ERROR, "agent stopped: {0}", e.toString());
    } finally {
      stopped.countDown();
    }
  }

  private void resync() {
    metrics.resyncs.incrementAndGet();
    forceFull = true;
    nextHopGateways.clear();
    // A full apply does not compare the policy inputs (they are fed as they change): the resync
    // does, so a change a relist missed is repaired here.
    syncer.requestPolicyAll();
    try {
      if (!policy.verify()) {
        LOG.log(Level.WARNING, "the nftables table inet netctl was changed by hand: rewriting it");
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot read the nftables table inet netctl: {0}", e.getMessage());
    }
    routes.resync();
    vxlan4.resync();
    vxlan6.resync();
    nat.resync();
  }

  /**
   * One pass: snapshot → desired state → kernel → BGP.
   *
   * @return false when something must be retried (kernel refused items)
   */
  boolean applyOnce() throws InterruptedException {
    long t0 = System.nanoTime();
    Syncer.Changes changes = syncer.drainChanges();
    boolean learned = learnedChanged;
    learnedChanged = false;
    boolean full = forceFull;
    forceFull = false;
    // Policy inputs go to the policy manager as they change (cheap, no kernel I/O); only an
    // endpoint of this node is also a route, which needs the full calculation.
    boolean ownEndpoint = feedPolicy(changes);
    if (!full
        && !changes.full()
        && !learned
        && !ownEndpoint
        && firstApplyDone
        && lastState != null) {
      Boolean done = applyBlocks(changes.blocks(), t0);
      if (done != null) {
        if (!applyPolicy()) return false;
        // "node status" and the metric say which policies fail closed, also after this apply
        metrics.policyFailures(policy.failures().size());
        if (status != null)
          status = withStatus(status.ready(), status.lastError(), policyFailures());
        return done;
      }
    }
    fullApplies++;
    Syncer.Snapshot snap = syncer.snapshot();
    ClusterState state = clusterState(snap);
    lastState = state;
    DesiredState d = calculator.compute(state);
    NodeInfo me = state.nodes().get(options.nodeName());
    if (me == null) {
      registerNode();
      return false;
    }
    if (!sysctlsDone) {
      kernel.sysctl("net/ipv4/ip_forward", "1");
      if (ipv6 != null) kernel.sysctl("net/ipv6/conf/all/forwarding", "1");
      sysctlsDone = true;
    }
    boolean clean = true;

    // IPIP pools are IPv4: an IPv6-only node has no IPv4 underlay to carry them.
    if (d.ipipWanted() && ipipSupported == null && ipv4 != null) {
      ipipSupported = kernel.ensureIpip(Ownership.IPIP, ipv4.address(), ipipMtu());
      if (!ipipSupported) {
        LOG.log(
            Level.WARNING,
            "this kernel has no IP-in-IP support: IPIP pools are carried over VXLAN (VNI {0}) to"
                + " and from this node",
            Integer.toString(options.vxlanVni()));
        publishFallback(true);
        return false; // the Node update comes back through the syncer
      }
    }
    // The Node update that publishes a new tunnel address comes back through the syncer; until
    // then the address is pending and must not be assigned again.
    if (me.vxlanTunnelV4() != null) tunnelPending[0] = false;
    if (me.vxlanTunnelV6() != null) tunnelPending[1] = false;
    // No VXLAN pool that may give this node a tunnel address (none selects it, or none allows
    // Tunnel): as in Calico the node has no VTEP, and everything else is still programmed.
    if (d.vxlanV4() && ipv4 != null && me.vxlanTunnelV4() == null) {
      if (!tunnelPending[0]) tunnelPending[0] = assignTunnelAddress(snap, me, false);
      if (tunnelPending[0]) return false;
    }
    if (d.vxlanV6() && ipv6 != null && me.vxlanTunnelV6() == null) {
      if (!tunnelPending[1]) tunnelPending[1] = assignTunnelAddress(snap, me, true);
      if (tunnelPending[1]) return false;
    }

    podMtu = options.mtu() > 0 ? options.mtu() : podMtu(d);
    vxlan4.desired(
        d.vxlanV4() && ipv4 != null && me.vxlanTunnelV4() != null
            ? vxlanSpec(Ownership.VXLAN_V4, ipv4, me.vxlanMacV4(), me.vxlanTunnelV4(), false)
            : null,
        d.vtepsV4());
    vxlan6.desired(
        d.vxlanV6() && ipv6 != null && me.vxlanTunnelV6() != null
            ? vxlanSpec(Ownership.VXLAN_V6, ipv6, me.vxlanMacV6(), me.vxlanTunnelV6(), true)
            : null,
        d.vtepsV6());
    routes.desired(
        resolveNextHops(
            d.routes(),
            me,
            nh ->
                nextHopGateways
                    .computeIfAbsent(nh, x -> Optional.ofNullable(kernel.gatewayTo(x)))
                    .orElse(null)));
    nat.desired(d.natSources(), d.allPools());

    // Felix's order: VTEPs before the routes that use them, routes removed before their VTEPs.
    List<Kernel.Failure> failures = new ArrayList<>();
    long calculated = System.nanoTime();
    routes.prefetch();
    failures.addAll(vxlan4.applyAdds());
    failures.addAll(vxlan6.applyAdds());
    long vtepsDone = System.nanoTime();
    routes.apply();
    long kernelDone = System.nanoTime();
    failures.addAll(withoutAbsentWorkloadDevices(routes.lastFailures(), true));
    failures.addAll(vxlan4.applyRemovals());
    failures.addAll(vxlan6.applyRemovals());
    nat.apply();
    if (!applyPolicy()) clean = false;
    if (!failures.isEmpty()) {
      clean = false;
      metrics.kernelFailures.addAndGet(failures.size());
      for (Kernel.Failure f : failures.subList(0, Math.min(5, failures.size()))) {
        LOG.log(Level.WARNING, "kernel refused {0}: {1}", f.item(), f.error());
      }
    }

    BGPConfigurationSpec cluster = planner.effectiveConfig(snap.bgpConfigs());
    String bgpError = null; // shown by `node status` as the last error
    Node meNode =
        snap.nodes().stream()
            .filter(n -> n.name().equals(options.nodeName()))
            .findFirst()
            .orElseThrow();
    try {
      String rr =
          meNode.spec().bgp() == null ? null : meNode.spec().bgp().routeReflectorClusterID();
      // Once per apply: the plan leaves out neighbours these ranges admit, the speaker gets them.
      var ranges = planner.clientRanges(meNode, cluster);
      bgp.apply(
          new BgpRouting.Identity(
              planner.effectiveAs(meNode, cluster),
              routerId,
              cluster.listenPort(),
              rr == null ? null : (Inet4Address) Cidr.parseAddress(rr)),
          planner.plan(meNode, snap.nodes(), snap.bgpPeers(), filterSpecs(snap), cluster, ranges),
          ranges,
          d.originate(),
          ipv4 == null ? null : ipv4.address(),
          ipv6 == null ? null : ipv6.address());
      bgpError = routerIdCollision(meNode, snap.nodes());
    } catch (RuntimeException e) {
      clean = false;
      bgpError = e.getMessage();
      LOG.log(Level.WARNING, "BGP configuration not applied: {0}", e.getMessage());
    }

    long took = kernelDone - t0;
    if (!firstApplyDone && clean) {
      LOG.log(
          Level.INFO,
          "first apply: {0} routes, {1} VTEPs in {2} ms ({3} ms after start; calculation {4} ms,"
              + " VXLAN devices and VTEPs {5} ms, routes {6} ms)",
          Integer.toString(routes.programmedCount()),
          Integer.toString(vxlan4.vtepCount() + vxlan6.vtepCount()),
          Long.toString(took / 1_000_000),
          Long.toString((System.nanoTime() - startNanos) / 1_000_000),
          Long.toString((calculated - t0) / 1_000_000),
          Long.toString((vtepsDone - calculated) / 1_000_000),
          Long.toString((kernelDone - vtepsDone) / 1_000_000));
      firstApplyDone = true;
    }
    metrics.observeApply(took);
    publishStatus(d, state, cluster, bgpError);
    return clean;
  }

  /**
   * Applies new or changed remote blocks alone: their routes are computed against the last full
   * calculation's nodes and pools (unchanged, or the change would not be block-only) and only those
   * destinations are diffed and written. A change this path cannot decide alone — our own block, a
   * block whose route goes away, a BGP-decided pool — returns null and the caller recomputes all.
   *
   * @return whether the apply was clean, or null to fall back to a full apply
   */
  private Boolean applyBlocks(List<BlockInfo> blocks, long t0) {
    Map<Cidr, dev.netctl.agent.kernel.Route> patch = new HashMap<>();
    for (BlockInfo b : blocks) {
      if (b.node() == null || b.node().equals(options.nodeName())) return null;
      var old = routes.wanted(b.cidr());
      if (old != null && old.type() == dev.netctl.agent.kernel.Route.Type.BLACKHOLE) return null;
      var r = calculator.remoteBlockRoute(b, lastState);
      if (r == null) {
        if (old != null) return null;
        continue;
      }
      patch.put(b.cidr(), r);
    }
    // Nothing new, and nothing the kernel refused last time (RouteManager keeps those to retry):
    // clean. A refused route is retried here, at the loop's backoff, not at the next resync.
    if (patch.isEmpty() && routes.lastFailures().isEmpty()) return true;
    routes.patch(patch);
    routes.apply();
    List<Kernel.Failure> failures = withoutAbsentWorkloadDevices(routes.lastFailures(), false);
    metrics.observeApply(System.nanoTime() - t0);
    if (!failures.isEmpty()) {
      metrics.kernelFailures.addAndGet(failures.size());
      LOG.log(
          Level.WARNING,
          "kernel refused {0}: {1}",
          failures.getFirst().item(),
          failures.getFirst().error());
      return false;
    }
    return true;
  }

  /**
   * The routes with every BGP next hop outside this node's subnets replaced by the gateway the
   * kernel's own routing takes toward it, as BIRD's {@code gateway recursive} (Calico's setting for
   * every BGP session) does: the kernel refuses a gateway that is not on a link ("Network is
   * unreachable"), so a native pool's blocks on a node in another subnet were refused and retried
   * forever, while the router (a ToR that learned them) could carry the traffic. Next hops in our
   * own subnets, tunnel routes (onlink) and routes through a device are left as they are; a next
   * hop the kernel cannot route either is kept, and the kernel's refusal names it.
   *
   * @param gatewayTo the kernel's gateway toward an address, or null when on a link (the caller
   *     remembers its answers: see nextHopGateways)
   */
  static Map<Cidr, dev.netctl.agent.kernel.Route> resolveNextHops(
      Map<Cidr, dev.netctl.agent.kernel.Route> routes,
      NodeInfo me,
      java.util.function.Function<InetAddress, InetAddress> gatewayTo) {
    Map<Cidr, dev.netctl.agent.kernel.Route> out = null;
    for (dev.netctl.agent.kernel.Route r : routes.values()) {
      if (r.type() != dev.netctl.agent.kernel.Route.Type.UNICAST
          || r.gateways().isEmpty()
          || r.dev() != null
          || r.onlink()) continue;
      List<InetAddress> hops = new ArrayList<>();
      boolean changed = false;
      for (InetAddress g : r.gateways()) {
        InetAddress via = g;
        if (!onOurSubnet(me, g)) {
          InetAddress gateway = gatewayTo.apply(g);
          if (gateway != null) via = gateway;
        }
        changed |= !via.equals(g);
        if (!hops.contains(via)) hops.add(via);
      }
      if (!changed) continue;
      if (out == null) out = new LinkedHashMap<>(routes);
      out.put(
          r.dst(),
          new dev.netctl.agent.kernel.Route(
              r.dst(), dev.netctl.agent.kernel.Route.Type.UNICAST, hops, null, false));
    }
    return out == null ? routes : out;
  }

  private static boolean onOurSubnet(NodeInfo me, InetAddress a) {
    return me != null
        && ((me.ipv4() != null && me.ipv4().contains(a))
            || (me.ipv6() != null && me.ipv6().contains(a)));
  }

  /**
   * {@code failures} without the workload routes whose veth does not exist: the pod's sandbox is
   * gone before its CNI DEL (a runtime crash, a node reboot), or not there yet. As Felix, the route
   * waits for its interface: it is no kernel failure, logged once, and not retried with backoff
   * (RouteManager keeps it for the next apply, and the veth's appearance wakes the loop).
   *
   * @param all whether {@code failures} holds every route failure (a full apply), so that
   *     interfaces no longer awaited are forgotten
   */
  private List<Kernel.Failure> withoutAbsentWorkloadDevices(
      List<Kernel.Failure> failures, boolean all) {
    List<Kernel.Failure> rest = new ArrayList<>();
    Set<String> absent = new HashSet<>();
    for (Kernel.Failure f : failures) {
      if (f.item() instanceof dev.netctl.agent.kernel.Route r
          && r.gateways().isEmpty()
          && r.dev() != null
          && r.dev().startsWith(Ownership.IFACE_PREFIX)
          && f.deviceMissing()) {
        absent.add(r.dev());
        if (awaitedDevices.add(r.dev())) {
          LOG.log(
              Level.INFO,
              "route {0} waits for interface {1}, which does not exist (its pod''s sandbox is"
                  + " gone or not made yet; a CNI DEL or GC removes the endpoint)",
              r,
              r.dev());
        }
        continue;
      }
      rest.add(f);
    }
    if (all) awaitedDevices.retainAll(absent);
    return rest;
  }

  /**
   * Writes what the policy manager was given since its last apply (nothing when nothing changed).
   *
   * @return false when nftables refused it (retried by the next apply)
   */
  private boolean applyPolicy() {
    try {
      policy.apply();
      return true;
    } catch (RuntimeException e) {
      // The manager fails closed on what it cannot render; a refused transaction is retried.
      metrics.applyErrors.incrementAndGet();
      LOG.log(Level.WARNING, "network policy not applied: {0}", e.getMessage());
      return false;
    }
  }

  /**
   * Hands the policy manager the policy inputs that changed — policies, tiers, profiles and
   * workload endpoints (remote ones too: selectors match their addresses) — or, after a relist,
   * every input that differs from what it was last given.
   *
   * @return whether an endpoint of this node changed (it is a route too)
   */
  private boolean feedPolicy(Syncer.Changes changes) {
    Map<Syncer.PolicyKey, Resource> now = new HashMap<>();
    if (changes.policyAll()) {
      now.putAll(syncer.policyInputs());
      for (Syncer.PolicyKey k : policyFed.keySet()) now.putIfAbsent(k, null);
    } else {
      for (Syncer.PolicyKey k : changes.policy()) now.put(k, syncer.policyInput(k));
    }
    boolean own = false;
    for (var e : now.entrySet()) {
      Resource r = e.getValue();
      Resource before = r == null ? policyFed.remove(e.getKey()) : policyFed.put(e.getKey(), r);
      if (r != null && !r.equals(before)) policy.onUpdate(r);
      else if (r == null && before != null) policy.onDelete(before);
      else continue;
      own |= ownEndpoint(r) || ownEndpoint(before) || borrowing(r) || borrowing(before);
    }
    return own;
  }

  /**
   * Whether {@code r} is another node's workload with an address outside that node's blocks: its
   * host route (Calculator) needs the full calculation, as a pod of this node does.
   */
  private boolean borrowing(Resource r) {
    if (!(r instanceof WorkloadEndpoint w) || w.spec().node() == null) return false;
    ClusterState s = lastState;
    if (s == null) return true;
    for (String n : w.spec().ipNetworks()) {
      if (s.borrowed(Cidr.parse(n), w.spec().node())) return true;
    }
    return false;
  }

  private boolean ownEndpoint(Resource r) {
    return r instanceof WorkloadEndpoint w && options.nodeName().equals(w.spec().node());
  }

  /** nft through the kernel interface, so tests run it against the fake. */
  private static dev.netctl.agent.policy.NftCommand nftCommand(Kernel kernel) {
    return new dev.netctl.agent.policy.NftCommand() {
      @Override
      public void run(String script) {
        try {
          kernel.nft(script);
        } catch (dev.netctl.agent.kernel.KernelException e) {
          throw new NftException(e.getMessage());
        }
      }

      @Override
      public void check(String script) {
        kernel.nftCheck(script);
      }

      @Override
      public String listTableJson(String family, String name) {
        return kernel.nftListTable(family, name);
      }
    };
  }

  private int podMtu(DesiredState d) {
    int mtu = parentMtu;
    if (d.vxlanV4()) mtu = Math.min(mtu, vxlanMtu(false));
    if (d.vxlanV6()) mtu = Math.min(mtu, vxlanMtu(true));
    if (d.ipipWanted() && Boolean.TRUE.equals(ipipSupported)) {
      mtu = Math.min(mtu, ipipMtu());
    }
    return mtu;
  }

  /** A VXLAN device's MTU: Felix's {@code vxlanMTU}/{@code vxlanMTUV6}, else derived. */
  private int vxlanMtu(boolean v6) {
    int set = v6 ? options.tunnelMtus().vxlanV6() : options.tunnelMtus().vxlan();
    return set > 0 ? set : parentMtu - (v6 ? VXLAN_OVERHEAD_V6 : VXLAN_OVERHEAD_V4);
  }

  /** The IPIP device's MTU: Felix's {@code ipipMTU}, else derived. */
  private int ipipMtu() {
    int set = options.tunnelMtus().ipip();
    return set > 0 ? set : parentMtu - IPIP_OVERHEAD;
  }

  private Vxlan vxlanSpec(String name, Cidr local, String mac, InetAddress tunnel, boolean v6) {
    int mtu = vxlanMtu(v6);
    return new Vxlan(
        name,
        options.vxlanVni(),
        options.vxlanPort(),
        local.address(),
        parent,
        mac,
        mtu,
        new Cidr(tunnel, v6 ? 128 : 32));
  }

  ClusterState clusterState(Syncer.Snapshot snap) {
    Map<String, NodeInfo> nodes = new HashMap<>();
    for (Node n : snap.nodes()) nodes.put(n.name(), nodeInfo(n));
    List<PoolInfo> pools = new ArrayList<>();
    for (IPPool p : snap.pools()) {
      pools.add(
          new PoolInfo(
              p.name(),
              Cidr.parse(p.spec().cidr()),
              p.spec().ipipMode(),
              p.spec().vxlanMode(),
              p.spec().natOutgoing(),
              p.spec().disableBGPExport(),
              p.beingDeleted()));
    }
    List<BlockInfo> blocks = snap.blocks();
    List<WorkloadInfo> workloads = new ArrayList<>();
    Map<Cidr, String> remote = new HashMap<>();
    for (WorkloadEndpoint w : snap.workloads()) {
      if (w.spec().node() != null && !options.nodeName().equals(w.spec().node())) {
        for (String n : w.spec().ipNetworks()) remote.put(Cidr.parse(n), w.spec().node());
        continue;
      }
      if (!options.nodeName().equals(w.spec().node()) || w.spec().interfaceName() == null) continue;
      List<Cidr> addrs = new ArrayList<>();
      for (String n : w.spec().ipNetworks()) addrs.add(Cidr.parse(n));
      workloads.add(new WorkloadInfo(w.storageName(), w.spec().interfaceName(), addrs));
    }
    return new ClusterState(
        nodes, pools, blocks, workloads, bgp == null ? Map.of() : bgp.learned(), remote);
  }

  static NodeInfo nodeInfo(Node n) {
    NodeBGPSpec b = n.spec().bgp();
    Cidr v4 =
        b == null || b.ipv4Address() == null ? null : Cidr.parseAddressOrCidr(b.ipv4Address());
    Cidr v6 =
        b == null || b.ipv6Address() == null ? null : Cidr.parseAddressOrCidr(b.ipv6Address());
    NodeSpec s = n.spec();
    return new NodeInfo(
        n.name(),
        v4,
        v6,
        s.ipv4VXLANTunnelAddr() == null ? null : Cidr.parseAddress(s.ipv4VXLANTunnelAddr()),
        s.vxlanTunnelMACAddr(),
        s.ipv6VXLANTunnelAddr() == null ? null : Cidr.parseAddress(s.ipv6VXLANTunnelAddr()),
        s.vxlanTunnelMACAddrV6(),
        "vxlan".equals(n.metadata().annotations().get(IPIP_FALLBACK_ANNOTATION)),
        n.metadata().labels());
  }

  /** Creates or updates this node's Node: addresses with their real prefix, VTEP MACs. */
  private void registerNode() {
    for (int attempt = 0; attempt < 20 && running; attempt++) {
      try {
        Optional<Node> existing = client.find(Kind.NODE, options.nodeName());
        NodeSpec old = existing.map(Node::spec).orElse(NodeSpec.bgp(null));
        NodeBGPSpec ob = old.bgp();
        NodeBGPSpec bgpSpec =
            new NodeBGPSpec(
                ipv4 == null ? null : ipv4.toString(),
                ipv6 == null ? null : ipv6.toString(),
                ob == null ? null : ob.asNumber(),
                ob == null ? null : ob.routeReflectorClusterID());
        NodeSpec spec =
            new NodeSpec(
                bgpSpec,
                old.ipv4VXLANTunnelAddr(),
                stableMac(options.nodeName(), "v4"),
                old.ipv6VXLANTunnelAddr(),
                stableMac(options.nodeName(), "v6"));
        ObjectMeta meta =
            withRouterId(existing.map(Node::metadata).orElse(ObjectMeta.named(options.nodeName())));
        if (existing.isPresent()
            && existing.get().spec().equals(spec)
            && existing.get().metadata().annotations().equals(meta.annotations())) return;
        client.apply(new Node(meta, spec));
        return;
      } catch (DatastoreException.Conflict e) {
        // someone else wrote the Node meanwhile: read again
      }
    }
  }

  /**
   * The Node's metadata with this node's router id published when it is not its IPv4 address (an
   * IPv6-only node, or {@code --router-id}), so that other nodes can tell a collision; removed
   * otherwise.
   */
  private ObjectMeta withRouterId(ObjectMeta m) {
    Map<String, String> ann = new TreeMap<>(m.annotations());
    if (ipv4 != null && ipv4.address().equals(routerId)) {
      ann.remove(PeerPlanner.ROUTER_ID_ANNOTATION);
    } else {
      ann.put(PeerPlanner.ROUTER_ID_ANNOTATION, Cidr.format(routerId));
    }
    return ann.equals(m.annotations()) ? m : m.withAnnotations(ann);
  }

  /**
   * Says, once per change in the log and on every apply in the status, which nodes share this
   * node's router id (sessions between them fail), or returns null when none does.
   */
  private String routerIdCollision(Node me, List<Node> nodes) {
    List<String> others = PeerPlanner.routerIdCollisions(me, nodes);
    String error =
        others.isEmpty()
            ? null
            : "BGP router id "
                + Cidr.format(PeerPlanner.routerId(me))
                + " of node "
                + me.name()
                + " is also the router id of node "
                + String.join(", ", others)
                + ": BGP sessions between them fail (give each node its own --router-id)";
    if (!others.equals(collisionsWarned) && error != null) LOG.log(Level.WARNING, error);
    collisionsWarned = others;
    return error;
  }

  private void publishFallback(boolean on) {
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        Node n = client.get(Kind.NODE, options.nodeName());
        Map<String, String> ann = new TreeMap<>(n.metadata().annotations());
        if (on) ann.put(IPIP_FALLBACK_ANNOTATION, "vxlan");
        else ann.remove(IPIP_FALLBACK_ANNOTATION);
        client.update(new Node(n.metadata().withAnnotations(ann), n.spec()));
        return;
      } catch (DatastoreException.Conflict e) {
        // retry
      }
    }
  }

  /**
   * Takes this node's VXLAN tunnel address from IPAM (handle {@code vxlan-tunnel-addr-<node>}, use
   * Tunnel, from a pool carried over VXLAN) and publishes it on the Node.
   */
  private boolean assignTunnelAddress(Syncer.Snapshot snap, NodeInfo me, boolean v6) {
    String handle = (v6 ? "vxlan-v6-tunnel-addr-" : "vxlan-tunnel-addr-") + options.nodeName();
    List<String> pools = new ArrayList<>();
    for (IPPool p : snap.pools()) {
      boolean vx =
          p.spec().vxlanMode() != EncapsulationMode.NEVER
              || (!v6 && p.spec().ipipMode() != EncapsulationMode.NEVER);
      if (!vx || Cidr.parse(p.spec().cidr()).isIPv4() == v6) continue;
      // Calico's tunnel allocator asks only the pools that may serve this node's tunnel; naming
      // any other to IPAM makes it refuse the whole request.
      PoolSpec spec = ResourceEnvironment.toSpec(p);
      if (!spec.disabled()
          && spec.nodeSelector().matches(me.labels())
          && spec.allowedUses().contains(PoolSpec.USE_TUNNEL)) {
        pools.add(p.name());
      }
    }
    if (pools.isEmpty()) {
      if (!noTunnelPoolWarned[v6 ? 1 : 0]) {
        noTunnelPoolWarned[v6 ? 1 : 0] = true;
        LOG.log(
            Level.WARNING,
            "node {0}: no enabled IPv{1} VXLAN pool selects this node and allows Tunnel: no"
                + " VXLAN tunnel address and no VTEP here, so VXLAN routes to and from this node"
                + " are not programmed",
            options.nodeName(),
            v6 ? "6" : "4");
      }
      return false;
    }
    noTunnelPoolWarned[v6 ? 1 : 0] = false;
    try {
      ipam.releaseByHandle(handle); // an address from an earlier run that never reached the Node
    } catch (IpamException.UnknownHandle e) {
      // nothing to release
    }
    AssignResult r =
        ipam.autoAssign(
            new AssignRequest(
                options.nodeName(),
                handle,
                v6 ? 0 : 1,
                v6 ? 1 : 0,
                null,
                null,
                PoolSpec.USE_TUNNEL,
                pools));
    var got = v6 ? r.ipv6() : r.ipv4();
    if (got.isEmpty()) {
      throw new IllegalStateException(
          "node " + options.nodeName() + ": no address left for the VXLAN tunnel in " + pools);
    }
    String addr = Cidr.format(got.getFirst().address());
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        Node n = client.get(Kind.NODE, options.nodeName());
        NodeSpec s = n.spec();
        NodeSpec ns =
            v6
                ? new NodeSpec(
                    s.bgp(),
                    s.ipv4VXLANTunnelAddr(),
                    s.vxlanTunnelMACAddr(),
                    addr,
                    s.vxlanTunnelMACAddrV6())
                : new NodeSpec(
                    s.bgp(),
                    addr,
                    s.vxlanTunnelMACAddr(),
                    s.ipv6VXLANTunnelAddr(),
                    s.vxlanTunnelMACAddrV6());
        client.update(new Node(n.metadata(), ns));
        LOG.log(Level.INFO, "VXLAN tunnel address {0}", addr);
        return true;
      } catch (DatastoreException.Conflict e) {
        // retry
      }
    }
    return false;
  }

  /** A locally administered unicast MAC derived from the node name: stable across restarts. */
  static String stableMac(String node, String salt) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256")
              .digest((node + "/" + salt).getBytes(StandardCharsets.UTF_8));
      h[0] = (byte) ((h[0] & 0xfc) | 0x02);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 6; i++) {
        if (i > 0) sb.append(':');
        sb.append(String.format("%02x", h[i] & 0xff));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private void publishStatus(
      DesiredState d, ClusterState cs, BGPConfigurationSpec cluster, String error) {
    // The nodes as this pass's calculation read them: no second parse of every Node.
    Set<InetAddress> nodeAddrs = new HashSet<>();
    for (NodeInfo i : cs.nodes().values()) {
      if (i.ipv4() != null) nodeAddrs.add(i.ipv4().address());
      if (i.ipv6() != null) nodeAddrs.add(i.ipv6().address());
    }
    boolean mesh = Boolean.TRUE.equals(cluster.nodeToNodeMeshEnabled());
    List<AgentStatus.Peer> peers = new ArrayList<>();
    Map<String, Integer> byState = new LinkedHashMap<>();
    List<PeerStatus> ps = bgp.peers();
    for (PeerStatus p : ps) {
      InetAddress a = p.remote().getAddress();
      String type = planner.peerType(a);
      if (type == null) {
        // Not planned: a reflector client that dialled into a client range.
        type =
            nodeAddrs.contains(a)
                ? (mesh ? PeerPlanner.MESH : PeerPlanner.NODE_SPECIFIC)
                : PeerPlanner.GLOBAL;
      }
      String state = stateName(p.state());
      byState.merge(state, 1, Integer::sum);
      var info = new java.util.StringJoiner("; ");
      for (String part : new String[] {p.info(), bgp.heldBack(a), p.notices()}) {
        // p.notices(): what the session does unlike its configuration (a family not offered,
        // received routes not used, e.g. a ToR's link-local-only IPv6 next hops), the operator's
        // only clue why a route the peer sends never reaches the kernel.
        if (part != null && !part.isEmpty()) info.add(part);
      }
      if (p.loopedPrefixes() > 0) {
        info.add(p.loopedPrefixes() + " routes not used (our AS in their AS_PATH)");
      }
      peers.add(
          new AgentStatus.Peer(
              Cidr.format(a),
              type,
              state,
              p.since() == null ? "" : p.since().toString(),
              info.toString()));
    }
    boolean fallback = Boolean.FALSE.equals(ipipSupported);
    metrics.gauges(
        routes.programmedCount(),
        vxlan4.vtepCount() + vxlan6.vtepCount(),
        fallback,
        byState,
        policy.failures().size());
    boolean ready = syncer.inSync() && firstApplyDone && bgp.allEstablished() && datastoreReachable;
    status =
        new AgentStatus(
            options.nodeName(),
            ipv4 == null ? null : ipv4.toString(),
            ipv6 == null ? null : ipv6.toString(),
            syncer.inSync(),
            ready,
            peers,
            routes.programmedCount(),
            vxlan4.vtepCount() + vxlan6.vtepCount(),
            d.encapsulation(),
            fallback,
            podMtu,
            clock.instant().toString(),
            error,
            policyFailures(),
            syncer.refusedPools());
  }

  /** Every BGPFilter's rules by name. */
  private static Map<String, dev.netctl.datastore.model.BGPFilterSpec> filterSpecs(
      Syncer.Snapshot snap) {
    Map<String, dev.netctl.datastore.model.BGPFilterSpec> out = new HashMap<>();
    for (var f : snap.bgpFilters()) out.put(f.name(), f.spec());
    return out;
  }

  static String stateName(dev.netctl.bgp.fsm.State s) {
    String n = s.name().toLowerCase(java.util.Locale.ROOT);
    return Character.toUpperCase(n.charAt(0)) + n.substring(1);
  }

  private AgentStatus withError(String error) {
    return withStatus(false, error, status.policyFailures());
  }

  /** The status with readiness, last error and policy failures replaced. */
  private AgentStatus withStatus(boolean ready, String error, List<String> policyFailures) {
    AgentStatus s = status;
    return new AgentStatus(
        s.node(),
        s.ipv4(),
        s.ipv6(),
        s.inSync(),
        ready,
        s.peers(),
        s.routes(),
        s.vteps(),
        s.encapsulation(),
        s.ipipFallback(),
        s.mtu(),
        s.lastApply(),
        error,
        policyFailures,
        s.refusedPools());
  }

  private List<String> policyFailures() {
    return policy.failures().stream().map(f -> f.policy() + ": " + f.reason()).toList();
  }

  /**
   * Stops the loop, the speaker (without NOTIFICATION, so graceful-restart peers keep routes to
   * this node's blocks) and the endpoint. The kernel is left as it is: routes survive a restart.
   */
  @Override
  public void close() {
    running = false;
    poke();
    syncer.close();
    if (loop != null) {
      try {
        loop.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      stuck = loop.isAlive();
    }
    if (bgp != null) bgp.closeForRestart();
    if (health != null) health.close();
    if (linkWatch != null) {
      try {
        linkWatch.close();
      } catch (Exception e) {
        // the monitor process is gone either way
      }
    }
    // After the loop, and not under a loop that did not stop: it may be in the middle of a
    // transaction, which close() would wait for (up to nft's timeout); the process then exits
    // (node run does not restart a stuck agent), which closes the socket anyway.
    if (!stuck) nft.close();
    datastore.close();
  }
}
