package dev.netctl.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.ResourceCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end without the agent: two node netns (pods a and b on the first, c on the second) with 9
 * pods (x, y, z × a, b, c), real nftables programmed by one {@link PolicyManager} per node, and for
 * each case of {@link PolicyCases} the probed reachability matrix (TCP and UDP on 80 and 81) equals
 * the {@link Evaluator}'s prediction cell by cell. The topology is built once; only the ruleset
 * changes between cases.
 */
class PolicyNetnsIT {
  static final List<String> PORTS = List.of("80/TCP", "81/TCP", "80/UDP", "81/UDP");
  static PodNetwork net;
  static final ResourceCodec CODEC = new ResourceCodec();

  @BeforeAll
  static void up() throws Exception {
    PodNetwork.assumeAvailable();
    net = new PodNetwork(List.of("x", "y", "z"), List.of("a", "b", "c"), List.of(80, 81));
  }

  @AfterAll
  static void down() {
    if (net != null) net.close();
  }

  static List<Endpoint> endpoints() {
    List<Endpoint> out = new ArrayList<>();
    for (PodNetwork.Pod p : net.pods.values()) {
      List<NamedPort> ports = new ArrayList<>();
      for (int port : List.of(80, 81)) {
        ports.add(new NamedPort("serve-" + port + "-tcp", Protocols.TCP, port));
        ports.add(new NamedPort("serve-" + port + "-udp", Protocols.UDP, port));
      }
      out.add(
          new Endpoint(
              p.ns(),
              p.name(),
              Map.of("pod", p.name()),
              List.of(p.ip(), p.ip6()),
              p.iface(),
              p.node(),
              ports));
    }
    return out;
  }

  @Test
  void aRestartedManagerSweepsWhatTheLastRunLeftAndKeepsTheRest() throws Exception {
    NftCommand nft = NftCommand.binary(net.node);
    List<PolicyManager> first = managers();
    List<Resource> both =
        CODEC.read(
            PolicyCases.knp("x", "deny", "podSelector: {}")
                + PolicyCases.knp("y", "deny", "podSelector: {}\npolicyTypes: [Egress]"));
    for (PolicyManager m : first) {
      both.forEach(m::onUpdate);
      m.apply();
    }
    String yChain = Names.policyChain(PolicyCompiler.id(both.get(1)), Direction.EGRESS);
    assertThat(nft.listTableJson("inet", "netctl")).contains("\"" + yChain + "\"");

    // new processes know only x's policy: the first apply removes y's chain, keeps x's
    List<PolicyManager> second = managers();
    String script = "";
    for (PolicyManager m : second) {
      m.onUpdate(both.get(0));
      script += m.apply();
    }
    assertThat(script)
        .contains("delete chain inet netctl " + yChain)
        .doesNotContain("delete table");
    assertThat(nft.listTableJson("inet", "netctl")).doesNotContain(yChain);
    Map<String, Boolean> probed = net.probe(List.of("80/TCP"));
    Evaluator ev = second.getFirst().evaluator();
    for (Matrix.Cell c :
        Matrix.compute(ev, endpoints(), List.of(Matrix.PortProto.parse("80/TCP")))) {
      assertThat(probed.get(c.from() + "->" + c.to() + " " + c.port()))
          .as(c.toString())
          .isEqualTo(c.allowed());
    }
    assertThat(probed.get("y/a->x/c 80/TCP")).as("across nodes, x's ingress").isFalse();
    // kubelet probes: the node itself reaches its isolated pod (output hook, not forward)
    String xa = net.pods.get("x/a").ip().getHostAddress();
    PodNetwork.sh(
        "ip",
        "netns",
        "exec",
        net.node,
        "/usr/bin/python3",
        "-c",
        "import socket; socket.create_connection(('" + xa + "', 80), timeout=3).close()");
    assertThat(
            ev.evaluate(
                    Cidr.parseAddress("192.168.77.1"),
                    net.pods.get("x/a").ip(),
                    Protocols.TCP,
                    80,
                    true)
                .allowed())
        .isTrue();
    assertThat(probed.get("y/a->z/c 80/TCP")).as("y's egress policy is gone").isTrue();
    for (PolicyManager m : second) {
      m.onDelete(both.get(0));
      m.apply();
    }
  }

  /** One manager per node, each knowing every endpoint of the cluster. */
  private List<PolicyManager> managers() {
    return List.of(manager(net.node), manager(net.node2));
  }

  private PolicyManager manager(String node) {
    PolicyManager m = new PolicyManager(node, "cali", NftCommand.binary(node));
    for (String ns : List.of("x", "y", "z")) {
      m.onNamespace(ns, Map.of("ns", ns, "kubernetes.io/metadata.name", ns));
    }
    for (Endpoint e : endpoints()) m.onEndpointUpdate(e.id(), e);
    return m;
  }

  @Test
  void probedMatrixEqualsPredictionForEveryCase() throws Exception {
    List<PolicyManager> ms = managers();
    List<String> failures = new ArrayList<>();
    List<PolicyCases.Case> cases = PolicyCases.all();
    runCases(ms, cases, PORTS, false, failures);
    assertThat(failures).as("cases whose probed matrix differs from the prediction").isEmpty();
    assertThat(cases).hasSizeGreaterThanOrEqualTo(25);
    assertThat(ms.getFirst().failures())
        .extracting(s -> s.policy().name())
        .containsExactly("no-code");
  }

  @Test
  void ipv6ProbedMatrixEqualsPredictionAndPodChurnGoesThroughNetlink() throws Exception {
    List<PolicyManager> ms = managers();
    List<String> failures = new ArrayList<>();
    List<String> ports = List.of("80/TCP", "81/UDP");
    List<Resource> last = runCases(ms, PolicyCases.ipv6(), ports, true, failures);
    last.forEach(r -> ms.forEach(m -> m.onDelete(r)));
    ms.forEach(PolicyManager::apply);
    // namespace z takes y's label: its pods join the sets of "from y", element changes only
    PolicyCases.Case fromY = PolicyCases.ipv6().get(1);
    runCases(ms, List.of(fromY), ports, true, failures);
    ms.forEach(m -> m.onNamespace("z", Map.of("ns", "y", "kubernetes.io/metadata.name", "z")));
    List<String> scripts = new ArrayList<>();
    ms.forEach(m -> scripts.add(m.apply()));
    assertThat(String.join("", scripts))
        .as("only set elements change")
        .containsPattern("add element inet netctl s6-[0-9a-f]+ \\{ fd77::")
        .doesNotContain("chain");
    check(ms, new PolicyCases.Case("IPv6: z relabelled like y", "", false), ports, true, failures);
    check(ms, new PolicyCases.Case("IPv4: z relabelled like y", "", false), ports, false, failures);
    assertThat(failures).as("cases whose probed matrix differs from the prediction").isEmpty();
    assertThat(ms.getFirst().failures()).isEmpty();
  }

  @Test
  void netlinkElementUpdatesAreAtomicAndRefusalsReported() throws Exception {
    NftCommand.Binary nft = (NftCommand.Binary) NftCommand.binary(net.node);
    String t = net.prefix + "t";
    nft.run(
        "add table inet "
            + t
            + "\nadd set inet "
            + t
            + " s6 { type ipv6_addr ; }\nadd set inet "
            + t
            + " n { type ipv4_addr . inet_proto . inet_service ; }\nadd chain inet "
            + t
            + " c\nadd map inet "
            + t
            + " m { type ifname : verdict ; }\n");
    try {
      nft.updateElements(
          "inet",
          t,
          List.of(
              new NftCommand.ElementDelta("s6", "ipv6_addr", List.of("fd77::99"), List.of()),
              new NftCommand.ElementDelta(
                  "n",
                  "ipv4_addr . inet_proto . inet_service",
                  List.of("10.1.2.3 . 6 . 8080"),
                  List.of()),
              new NftCommand.ElementDelta(
                  "m", "ifname : verdict", List.of("\"calitest1\" : goto c"), List.of())));
      assertThat(nft.usesNetlink()).as("sent over netlink, not nft").isTrue();
      String listed =
          PodNetwork.sh("ip", "netns", "exec", net.node, "nft", "list", "table", "inet", t);
      assertThat(listed).contains("fd77::99", "10.1.2.3 . tcp . 8080", "\"calitest1\" : goto c");
      // one batch: the missing set's error undoes the valid addition before it
      assertThatThrownBy(
              () ->
                  nft.updateElements(
                      "inet",
                      t,
                      List.of(
                          new NftCommand.ElementDelta(
                              "s6", "ipv6_addr", List.of("fd77::98"), List.of()),
                          new NftCommand.ElementDelta(
                              "missing", "ipv6_addr", List.of("fd77::97"), List.of()))))
          .isInstanceOf(NftCommand.NftException.class)
          .hasMessageContaining("errno 2");
      listed = PodNetwork.sh("ip", "netns", "exec", net.node, "nft", "list", "table", "inet", t);
      assertThat(listed).doesNotContain("fd77::98");
    } finally {
      nft.run("delete table inet " + t + "\n");
    }
  }

  /** Applies each case in turn (deleting what the previous one had), probes, compares. */
  private static List<Resource> runCases(
      List<PolicyManager> ms,
      List<PolicyCases.Case> cases,
      List<String> ports,
      boolean ipv6,
      List<String> failures)
      throws Exception {
    List<Resource> previous = List.of();
    for (PolicyCases.Case c : cases) {
      List<Resource> now = CODEC.read(c.yaml(), c.name());
      for (Resource r : previous) {
        if (now.stream()
            .noneMatch(n -> n.kind() == r.kind() && n.storageName().equals(r.storageName()))) {
          ms.forEach(m -> m.onDelete(r));
        }
      }
      for (Resource r : now) ms.forEach(m -> m.onUpdate(r));
      previous = now;
      ms.forEach(PolicyManager::apply);
      check(ms, c, ports, ipv6, failures);
    }
    return previous;
  }

  /** Probes the current ruleset and records how it differs from the prediction. */
  private static void check(
      List<PolicyManager> ms,
      PolicyCases.Case c,
      List<String> ports,
      boolean ipv6,
      List<String> failures)
      throws Exception {
    Evaluator ev = ms.getFirst().evaluator();
    Map<String, Boolean> predicted = new LinkedHashMap<>();
    IpFamily family = ipv6 ? IpFamily.V6 : IpFamily.V4;
    for (Matrix.Cell cell :
        Matrix.compute(
            ev, endpoints(), ports.stream().map(Matrix.PortProto::parse).toList(), family)) {
      predicted.put(cell.from() + "->" + cell.to() + " " + cell.port(), cell.allowed());
    }
    Map<String, Boolean> probed = net.probe(ports, ipv6);
    assertThat(probed.keySet()).containsExactlyInAnyOrderElementsOf(predicted.keySet());
    List<String> wrong = new ArrayList<>();
    for (var e : predicted.entrySet()) {
      if (!e.getValue().equals(probed.get(e.getKey()))) {
        wrong.add(e.getKey() + " predicted " + e.getValue() + " probed " + probed.get(e.getKey()));
      }
    }
    if (!wrong.isEmpty()) {
      failures.add(
          c.name()
              + ": "
              + wrong.size()
              + " cells differ, e.g. "
              + wrong.subList(0, Math.min(4, wrong.size())));
    }
    boolean anyDenied = predicted.containsValue(false);
    System.out.printf(
        "case %-70s denied %3d of %d cells%n",
        c.name(), predicted.values().stream().filter(v -> !v).count(), predicted.size());
    if (anyDenied == c.opens())
      failures.add(c.name() + ": expected " + (c.opens() ? "no" : "some") + " denied cell");
  }
}
