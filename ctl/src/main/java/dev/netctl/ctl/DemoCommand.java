package dev.netctl.ctl;

import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.fsm.State;
import dev.netctl.bgp.speaker.PeerStatus;
import dev.netctl.bgp.speaker.ReceivedRoute;
import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.client.Applied;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.ipam.allocator.AssignRequest;
import dev.netctl.ipam.allocator.AssignResult;
import dev.netctl.ipam.allocator.IpamAllocator;
import dev.netctl.ipam.allocator.ResourceEnvironment;
import dev.netctl.ipam.store.BlockAffinity;
import dev.netctl.ipam.store.IpamStore;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code netctl demo}: a small cluster on one machine. It applies a Calico v3 manifest (cluster BGP
 * configuration, an IPv4 and an IPv6 pool, three nodes), starts pods on every node at once through
 * IPAM (one group commit per node), shows the blocks the nodes claimed, then runs one BGP speaker
 * per node on its own loopback address in an iBGP full mesh and shows that every node learned the
 * other nodes' blocks.
 *
 * <p>Without {@code --datastore} (or NETCTL_DATASTORE) it uses its own embedded file, started
 * afresh on every run, so the demo never touches the user's default store and always shows the same
 * story.
 */
@Command(
    name = "demo",
    description = "Run a small multi-node netctl cluster on this machine (embedded datastore).")
final class DemoCommand implements Callable<Integer> {

  /** The cluster's BGP settings, the first document of both demos' manifests. */
  static final String BGP_CONFIGURATION =
      """
      apiVersion: projectcalico.org/v3
      kind: BGPConfiguration
      metadata:
        name: default
      spec:
        asNumber: 64512
        nodeToNodeMeshEnabled: true
      ---
      """;

  static final String MANIFEST =
      BGP_CONFIGURATION
          + """
      apiVersion: projectcalico.org/v3
      kind: IPPool
      metadata:
        name: default-ipv4-ippool
      spec:
        cidr: 192.168.0.0/16
        blockSize: 26
        vxlanMode: CrossSubnet
        natOutgoing: true
        nodeSelector: all()
      ---
      apiVersion: projectcalico.org/v3
      kind: IPPool
      metadata:
        name: default-ipv6-ippool
      spec:
        cidr: fd00:10:244::/48
        blockSize: 122
        nodeSelector: all()
      ---
      apiVersion: projectcalico.org/v3
      kind: Node
      metadata:
        name: node-1
        labels: {zone: a}
      spec:
        bgp: {ipv4Address: 127.0.10.1/8}
      ---
      apiVersion: projectcalico.org/v3
      kind: Node
      metadata:
        name: node-2
        labels: {zone: a}
      spec:
        bgp: {ipv4Address: 127.0.10.2/8}
      ---
      apiVersion: projectcalico.org/v3
      kind: Node
      metadata:
        name: node-3
        labels: {zone: b}
      spec:
        bgp: {ipv4Address: 127.0.10.3/8}
      """;

  static final int PODS_PER_NODE = 4;
  static final long AS_NUMBER = 64512;

  // The root declares --datastore once (INHERIT scope); a second declaration here would clash.
  @ParentCommand Netctl root;
  @Spec CommandSpec spec;

  @Option(
      names = "--bgp-port",
      defaultValue = "17900",
      description = "TCP port the demo's BGP speakers listen on (each on its node's address).")
  int bgpPort;

  @Option(
      names = "--keep",
      description =
          "Leave the namespace cluster running (agents, pods) for exploring; the next"
              + " demo removes it.")
  boolean keep;

  @Option(
      names = "--bgp-only",
      description = "Run the BGP-only demo (in one process, no root needed) even as root.")
  boolean bgpOnly;

  static final String NETNS_MANIFEST =
      BGP_CONFIGURATION
          + """
      apiVersion: projectcalico.org/v3
      kind: IPPool
      metadata:
        name: default-ipv4-ippool
      spec:
        cidr: 10.244.0.0/16
        blockSize: 26
        vxlanMode: CrossSubnet
        natOutgoing: true
        nodeSelector: all()
      """;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String datastoreSpec = chooseDatastore();
    String why = bgpOnly ? "--bgp-only" : NetnsDemo.unavailableBecause();
    if (why == null) return netnsDemo(out, datastoreSpec);
    out.println("netctl demo: the BGP-only demo (" + why + "; as root the demo builds a real");
    out.println("cluster in network namespaces with the node agent and the CNI plugin)");
    out.println("netctl demo: 3 nodes, datastore " + datastoreSpec);
    out.println();

    List<Resource> manifest = new ResourceCodec().read(MANIFEST, "demo manifest");
    try (Datastore store = Datastores.open(datastoreSpec, null)) {
      ResourceClient client = new ResourceClient(store);
      step(out, "apply the cluster manifest (Calico v3 YAML, converted on the way in)");
      for (Applied<Resource> a : client.applyAll(manifest)) {
        Resource r = a.resource();
        out.println(
            r.kind().name().toLowerCase(Locale.ROOT)
                + ".netctl.dev/"
                + r.metadata().name()
                + " "
                + a.outcome().verb());
      }
      netctl(out, datastoreSpec, "get", "ippools", "-o", "wide");
      netctl(out, datastoreSpec, "get", "nodes", "-o", "wide");

      List<Node> nodes = client.list(Kind.NODE);
      step(out, "start " + PODS_PER_NODE + " pods on each node, all at once (CNI ADD -> IPAM)");
      startPods(out, new IpamAllocator(store, new ResourceEnvironment(client)), nodes);
      netctl(out, datastoreSpec, "ipam", "show", "--show-blocks");

      step(
          out,
          "BGP: node-to-node full mesh (AS "
              + AS_NUMBER
              + "), each node originates its IPv4 blocks"
              + " (the sessions run over IPv4 loopback addresses; IPv6 blocks need IPv6 node"
              + " addresses)");
      List<DemoMesh.Member> members = members(new IpamStore(store), nodes);
      try (DemoMesh mesh = new DemoMesh(members, AS_NUMBER, bgpPort)) {
        boolean converged = mesh.awaitConverged(Duration.ofSeconds(30));
        for (DemoMesh.Member m : members) printNode(out, mesh, m);
        if (!converged) {
          throw new CliException(
              ExitCode.ERROR, "BGP mesh did not converge within 30 s (see the tables above)");
        }
      }
    }
    out.println(
        "Every node learned the other nodes' IPv4 blocks. The datastore is kept; explore it with");
    out.println("  ./netctl --datastore " + datastoreSpec + " ipam show --ip <address>");
    out.flush();
    return ExitCode.OK;
  }

  /** The real cluster: network namespaces, node agents, CNI plugin, ping matrix. */
  private int netnsDemo(PrintWriter out, String datastoreSpec) throws Exception {
    long t0 = System.nanoTime();
    out.println("netctl demo: 3 nodes in network namespaces, datastore " + datastoreSpec);
    out.println();
    try (Datastore store = Datastores.open(datastoreSpec, null)) {
      step(
          out, "apply the cluster manifest (BGP mesh, a VXLAN CrossSubnet pool with NAT outgoing)");
      for (Applied<Resource> a :
          new ResourceClient(store).applyAll(new ResourceCodec().read(NETNS_MANIFEST, "demo"))) {
        out.println(
            a.resource().kind().name().toLowerCase(Locale.ROOT)
                + ".netctl.dev/"
                + a.resource().metadata().name()
                + " "
                + a.outcome().verb());
      }
    }
    out.println();
    NetnsDemo.removeLeftovers();
    int failed;
    try (NetnsDemo d = new NetnsDemo(out, datastoreSpec)) {
      step(out, "build the underlay: two subnets and a router");
      d.buildTopology();
      out.println();
      step(out, "start `netctl node run` in every node namespace");
      d.startAgents();
      out.println("node-1, node-2, node-3 (logs in " + d.dir() + ")");
      out.println();
      step(out, "install the CNI plugin (`netctl cni install`)");
      Map<String, String> configs = d.installCni();
      out.println();
      step(out, "start " + NetnsDemo.PODS_PER_NODE + " pods on every node at once: CNI ADD");
      List<NetnsDemo.Pod> pods;
      try {
        pods = d.startPods(configs);
      } catch (CliException e) {
        for (String n : NetnsDemo.NODES) out.println("--- " + n + " agent log\n" + d.log(n));
        throw e;
      }
      Table t = new Table(List.of("NODE", "POD", "NAMESPACE", "IPV4"));
      for (NetnsDemo.Pod p : pods) t.row(List.of(p.node(), "demo/" + p.name(), p.netns(), p.ip()));
      t.print(out);
      out.println();
      netctl(out, datastoreSpec, "get", "nodes", "-o", "wide");
      step(
          out,
          "every pod pings every other pod (same node, same subnet natively, across the"
              + " router over VXLAN)");
      failed = d.pingMatrix(pods);
      out.println();
      for (String n : NetnsDemo.NODES) {
        step(out, "netctl node status (in " + NetnsDemo.ns(n) + ")");
        out.println(d.readyStatus(n, 20));
      }
      if (keep) {
        d.keep();
        out.println("Kept: namespaces " + NetnsDemo.PREFIX + "*, agents running. Try");
        out.println("  ip netns exec " + NetnsDemo.ns("node-1") + " ip route show proto 86");
        out.println("  ip netns exec " + NetnsDemo.ns("web-1a") + " ping " + pods.getLast().ip());
        out.println("The next `netctl demo` removes them (or: ip -all netns delete).");
      } else {
        d.deletePods(pods, configs);
      }
    }
    out.printf(
        "%s in %.1f s; the datastore is kept: ./netctl --datastore %s ipam show --show-blocks%n",
        failed == 0
            ? "Every pod reached every other pod"
            : failed + " pod pairs did not reach each other",
        (System.nanoTime() - t0) / 1e9,
        datastoreSpec);
    out.flush();
    if (failed > 0) throw new CliException(ExitCode.ERROR, failed + " pod pairs unreachable");
    return ExitCode.OK;
  }

  private String chooseDatastore() throws java.io.IOException {
    if (root.datastore().spec != null || System.getenv(Datastores.ENV) != null) {
      String spec = root.datastore().effectiveSpec();
      DatastoreOptions.checkEmbeddedFile(spec, StoreUse.CREATE);
      return spec;
    }
    Path file = Datastores.defaultEmbeddedFile().resolveSibling("demo.db");
    for (String suffix : List.of("", "-wal", "-shm")) {
      Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
    }
    return "embedded:" + file;
  }

  private void startPods(PrintWriter out, IpamAllocator ipam, List<Node> nodes) throws Exception {
    record Pod(String node, String name) {}
    List<Pod> pods = new ArrayList<>();
    for (Node n : nodes) {
      for (int i = 0; i < PODS_PER_NODE; i++) {
        pods.add(new Pod(n.metadata().name(), "web-" + n.metadata().name() + "-" + i));
      }
    }
    Map<Pod, CompletableFuture<AssignResult>> results = new LinkedHashMap<>();
    for (Pod p : pods) {
      results.put(
          p,
          ipam.autoAssignAsync(
              new AssignRequest(
                  p.node(),
                  "k8s-pod-network." + p.name(),
                  1,
                  1,
                  p.name(),
                  "demo",
                  null,
                  List.of())));
    }
    Table t = new Table(List.of("NODE", "POD", "IPV4", "IPV6"));
    for (var e : results.entrySet()) {
      AssignResult r = e.getValue().get(30, TimeUnit.SECONDS);
      t.row(
          List.of(
              e.getKey().node(),
              "demo/" + e.getKey().name(),
              r.ipv4().getFirst().address().getHostAddress(),
              r.ipv6().getFirst().address().getHostAddress()));
    }
    t.print(out);
    IpamAllocator.Stats stats = ipam.stats();
    out.println(
        pods.size()
            + " pods, "
            + stats.blockWrites()
            + " block writes in "
            + stats.batches()
            + " group commits ("
            + stats.claims()
            + " blocks claimed)");
  }

  private static List<DemoMesh.Member> members(IpamStore ipam, List<Node> nodes) {
    List<DemoMesh.Member> members = new ArrayList<>();
    for (Node n : nodes) {
      String ip = n.spec().bgp().ipv4Address();
      ip = ip.contains("/") ? ip.substring(0, ip.indexOf('/')) : ip;
      List<Prefix> blocks = new ArrayList<>();
      for (var a : ipam.affinities(n.metadata().name())) {
        // IPv4 blocks only: the demo's sessions run over IPv4 loopback addresses.
        if (a.value().state() == BlockAffinity.State.CONFIRMED && !a.value().cidr().contains(":")) {
          blocks.add(Prefix.parse(a.value().cidr()));
        }
      }
      members.add(
          new DemoMesh.Member(n.metadata().name(), (Inet4Address) DemoMesh.address(ip), blocks));
    }
    return members;
  }

  private static void printNode(PrintWriter out, DemoMesh mesh, DemoMesh.Member m) {
    out.println(m.name() + " (" + m.address().getHostAddress() + ") BGP peers:");
    Table peers = new Table(List.of("PEER ADDRESS", "PEER TYPE", "STATE", "SINCE", "INFO"));
    for (PeerStatus p : mesh.peers(m)) {
      peers.row(
          List.of(
              p.remote().getAddress().getHostAddress(),
              "node-to-node mesh",
              p.state() == State.ESTABLISHED ? "up" : "start",
              LocalTime.ofInstant(p.since(), ZoneId.systemDefault())
                  .truncatedTo(ChronoUnit.SECONDS)
                  .toString(),
              p.state() == State.ESTABLISHED ? "Established" : p.state() + " " + p.info()));
    }
    peers.print(out);
    out.println(m.name() + " routes learned:");
    Table routes = new Table(List.of("PREFIX", "NEXT HOP", "FROM PEER"));
    for (ReceivedRoute r : mesh.routes(m)) {
      routes.row(
          List.of(
              r.nlri().prefix().toString(),
              r.nextHop() == null ? "" : r.nextHop().getHostAddress(),
              r.peer().getHostAddress()));
    }
    routes.print(out);
    out.println();
  }

  /** Runs a netctl command in-process against the demo's datastore, printed as a user types it. */
  private void netctl(PrintWriter out, String datastoreSpec, String... args) {
    out.println("$ netctl " + String.join(" ", args));
    List<String> full = new ArrayList<>(List.of("--datastore", datastoreSpec));
    full.addAll(List.of(args));
    int code =
        Netctl.execute(
            InputStream.nullInputStream(),
            out,
            spec.commandLine().getErr(),
            full.toArray(String[]::new));
    out.println();
    if (code != ExitCode.OK) {
      throw new CliException(code, "demo step 'netctl " + String.join(" ", args) + "' failed");
    }
  }

  private static void step(PrintWriter out, String what) {
    out.println("== " + what);
  }
}
