package dev.netctl.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.ResourceCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end without the agent: two node netns (pods a and b on the first, c on the second) with 9
 * pods (x, y, z × a, b, c), real nftables programmed by one {@link PolicyManager} per node. For
 * each case of {@link PolicyCases} three answers must equal the truth table pinned by hand in the
 * case (an oracle independent of the product): the probed kernel (TCP and UDP on 80 and 81, pings
 * for ICMP), the manager's {@link Evaluator} and the evaluator {@code policy explain/matrix} build
 * from a {@link PolicySnapshot} of the same resources. The topology is built once; only the ruleset
 * changes between cases. Namespaces are given only an {@code ns} label: a selector on {@code
 * kubernetes.io/metadata.name} relies on the one normalisation both paths share.
 */
class PolicyNetnsIT {
  static final List<String> PORTS = List.of("80/TCP", "81/TCP", "80/UDP", "81/UDP");
  static PodNetwork net;
  static final ResourceCodec CODEC = new ResourceCodec();

  /** Each namespace's labels as the managers were given them (and the snapshot is). */
  static final Map<String, Map<String, String>> NAMESPACES = new HashMap<>();

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
    List<String> failures = new ArrayList<>();
    check(
        second,
        new PolicyCases.Case("restarted: x's policy only", "", PolicyCases.every(PolicyCases.X_IN)),
        List.of(both.get(0)),
        List.of("80/TCP"),
        false,
        failures);
    assertThat(failures).isEmpty();
    Evaluator ev = second.getFirst().evaluator();
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
    for (PolicyManager m : second) {
      m.onDelete(both.get(0));
      m.apply();
    }
  }

  /**
   * The resync's verify: an intact table costs no write; a table deleted by hand, a policy chain
   * flushed or an address removed from a set by hand, is rewritten by the next apply, and the
   * traffic is filtered again.
   */
  @Test
  void aTableDeletedOrAChainFlushedByHandIsRewrittenAfterTheResyncLooks() throws Exception {
    NftCommand nft = NftCommand.binary(net.node);
    List<PolicyManager> ms = managers();
    List<Resource> fromY =
        CODEC.read(
            PolicyCases.knp(
                "x",
                "from-y",
                "podSelector: {matchLabels: {pod: a}}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: y}}"));
    for (PolicyManager m : ms) {
      fromY.forEach(m::onUpdate);
      m.apply();
    }
    String chain = Names.policyChain(PolicyCompiler.id(fromY.getFirst()), Direction.INGRESS);
    try {
      for (PolicyManager m : ms) assertThat(m.verify()).as("untouched").isTrue();
      assertThat(ms.getFirst().apply()).as("an intact table costs no write").isEmpty();

      PodNetwork.sh("ip", "netns", "exec", net.node, "nft", "delete", "table", "inet", "netctl");
      assertThat(ms.getFirst().verify()).as("table deleted").isFalse();
      assertThat(ms.get(1).verify()).as("the other node's table").isTrue();
      ms.getFirst().apply();
      assertThat(nft.listTableJson("inet", "netctl")).contains("\"" + chain + "\"");
      assertThat(ms.getFirst().verify()).isTrue();
      onlyYReachesXa(ms, fromY, "rewritten");

      PodNetwork.sh(
          "ip", "netns", "exec", net.node, "nft", "flush", "chain", "inet", "netctl", chain);
      assertThat(ms.getFirst().verify()).as("chain flushed").isFalse();
      ms.getFirst().apply();
      assertThat(ms.getFirst().verify()).isTrue();
      onlyYReachesXa(ms, fromY, "refilled");

      // An address removed by hand from a set the policy matches on: y's pods, say.
      var listed =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(nft.listTableJson("inet", "netctl"));
      String set = null;
      String element = null;
      for (var item : listed.path("nftables")) {
        var elems = item.path("set").path("elem");
        if (elems.isArray() && !elems.isEmpty() && elems.get(0).isTextual()) {
          set = item.get("set").get("name").asText();
          element = elems.get(0).asText();
          break;
        }
      }
      assertThat(set).as("a set with an address in it").isNotNull();
      PodNetwork.sh(
          "ip",
          "netns",
          "exec",
          net.node,
          "nft",
          "delete",
          "element",
          "inet",
          "netctl",
          set,
          "{ " + element + " }");
      assertThat(ms.getFirst().verify())
          .as("element " + element + " removed from " + set)
          .isFalse();
      ms.getFirst().apply();
      assertThat(nft.listTableJson("inet", "netctl")).contains("\"" + element + "\"");
      assertThat(ms.getFirst().verify()).isTrue();
      onlyYReachesXa(ms, fromY, "its set refilled");
    } finally {
      for (PolicyManager m : ms) {
        m.onDelete(fromY.getFirst());
        m.apply();
      }
    }
  }

  private static void onlyYReachesXa(List<PolicyManager> ms, List<Resource> fromY, String when)
      throws Exception {
    List<String> failures = new ArrayList<>();
    check(
        ms,
        new PolicyCases.Case(when, "", PolicyCases.every(PolicyCases.XA_FROM_Y)),
        fromY,
        List.of("80/TCP"),
        false,
        failures);
    assertThat(failures).isEmpty();
  }

  /** One manager per node, each knowing every endpoint of the cluster. */
  private List<PolicyManager> managers() {
    return List.of(manager(net.node), manager(net.node2));
  }

  private PolicyManager manager(String node) {
    PolicyManager m = new PolicyManager(node, "cali", NftCommand.binary(node));
    for (String ns : List.of("x", "y", "z")) {
      // no kubernetes.io/metadata.name: the "by-name" case needs it added, by both paths alike
      NAMESPACES.put(ns, Map.of("ns", ns));
      m.onNamespace(ns, NAMESPACES.get(ns));
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
    assertThat(failures).as("cases whose kernel or prediction differs from the pinned").isEmpty();
    assertThat(cases).hasSizeGreaterThanOrEqualTo(25);
    assertThat(ms.getFirst().failures())
        .extracting(s -> s.policy().name())
        .containsExactly("no-protocol");
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
    NAMESPACES.put("z", Map.of("ns", "y"));
    ms.forEach(m -> m.onNamespace("z", NAMESPACES.get("z")));
    List<String> scripts = new ArrayList<>();
    ms.forEach(m -> scripts.add(m.apply()));
    assertThat(String.join("", scripts))
        .as("only set elements change")
        .containsPattern("add element inet netctl s6-[0-9a-f]+ \\{ fd77::")
        .doesNotContain("chain");
    List<Resource> fromYPolicy = CODEC.read(fromY.yaml());
    for (boolean v6 : List.of(true, false)) {
      PolicyCases.Case relabelled =
          new PolicyCases.Case(
              (v6 ? "IPv6" : "IPv4") + ": z relabelled like y",
              fromY.yaml(),
              PolicyCases.every(PolicyCases.X_FROM_Y_Z));
      check(ms, relabelled, fromYPolicy, ports, v6, failures);
    }
    NAMESPACES.put("z", Map.of("ns", "z"));
    ms.forEach(m -> m.onNamespace("z", NAMESPACES.get("z")));
    ms.forEach(PolicyManager::apply);
    assertThat(failures).as("cases whose kernel or prediction differs from the pinned").isEmpty();
    assertThat(ms.getFirst().failures()).isEmpty();
  }

  @Test
  void icmpAndIcmpv6ByTypeWithRealPingsAndNeighbourDiscoveryUnderPolicy() throws Exception {
    List<PolicyManager> ms = managers();
    List<String> failures = new ArrayList<>();
    List<Resource> v4 =
        runCases(ms, List.of(PolicyCases.icmp()), List.of("80/TCP", "8/ICMP"), false, failures);
    v4.forEach(r -> ms.forEach(m -> m.onDelete(r)));
    PolicyCases.Case v6 = PolicyCases.icmpv6();
    List<Resource> now = CODEC.read(v6.yaml());
    for (Resource r : now) ms.forEach(m -> m.onUpdate(r));
    ms.forEach(PolicyManager::apply);
    // every IPv6 neighbour forgotten: the probes resolve them again with x's egress isolated
    net.flushIpv6Neighbours();
    check(ms, v6, now, List.of("80/TCP", "128/ICMPv6"), true, failures);
    assertThat(failures).as("cases whose kernel or prediction differs from the pinned").isEmpty();
    PodNetwork.Pod xa = net.pods.get("x/a");
    assertThat(PodNetwork.sh("ip", "-n", xa.netns(), "-6", "neigh", "show", "dev", "eth0"))
        .as("x/a resolved its gateway by neighbour discovery under the policy")
        .contains("fe80::ecee:eeff:feee:eeee lladdr ee:ee:ee:ee:ee:ee");
    assertThat(PodNetwork.sh("ip", "-n", xa.node(), "-6", "neigh", "show", "dev", xa.iface()))
        .as("the node resolved x/a")
        .contains("fd77::2 lladdr");
    now.forEach(r -> ms.forEach(m -> m.onDelete(r)));
    ms.forEach(PolicyManager::apply);
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
      check(ms, c, now, ports, ipv6, failures);
    }
    return previous;
  }

  /**
   * Probes the current ruleset and records where the kernel, the manager's evaluator or the
   * evaluator of a {@link PolicySnapshot} of {@code resources} (what {@code policy matrix -f}
   * builds) differs from the case's pinned truth table.
   */
  private static void check(
      List<PolicyManager> ms,
      PolicyCases.Case c,
      List<Resource> resources,
      List<String> ports,
      boolean ipv6,
      List<String> failures)
      throws Exception {
    IpFamily family = ipv6 ? IpFamily.V6 : IpFamily.V4;
    List<Matrix.PortProto> pps = ports.stream().map(Matrix.PortProto::parse).toList();
    Map<String, Boolean> predicted = cells(ms.getFirst().evaluator(), pps, family);
    Map<String, Boolean> snapshot =
        cells(PolicySnapshot.of(resources, endpoints(), NAMESPACES).evaluator(), pps, family);
    Map<String, Boolean> probed = net.probe(ports, ipv6);
    assertThat(probed.keySet()).containsExactlyInAnyOrderElementsOf(predicted.keySet());
    Map<String, List<String>> wrong = new LinkedHashMap<>();
    for (String key : predicted.keySet()) {
      String[] k = key.split("->| ");
      boolean pinned = c.allows(k[0], k[1], k[2]);
      for (var answer :
          Map.of("kernel", probed, "evaluator", predicted, "snapshot", snapshot).entrySet()) {
        if (answer.getValue().get(key) != pinned) {
          wrong
              .computeIfAbsent(answer.getKey(), x -> new ArrayList<>())
              .add(key + (pinned ? " pinned allowed" : " pinned denied"));
        }
      }
    }
    wrong.forEach(
        (who, cells) ->
            failures.add(
                c.name()
                    + ": "
                    + who
                    + " differs from the pinned in "
                    + cells.size()
                    + " cells, e.g. "
                    + cells.subList(0, Math.min(4, cells.size()))));
    System.out.printf(
        "case %-75s denied %3d of %d cells%s%n",
        c.name(),
        probed.values().stream().filter(v -> !v).count(),
        probed.size(),
        wrong.isEmpty() ? "" : " MISMATCH " + wrong.keySet());
  }

  private static Map<String, Boolean> cells(
      Evaluator ev, List<Matrix.PortProto> ports, IpFamily family) {
    Map<String, Boolean> out = new LinkedHashMap<>();
    for (Matrix.Cell cell : Matrix.compute(ev, endpoints(), ports, family)) {
      out.put(cell.from() + "->" + cell.to() + " " + cell.port(), cell.allowed());
    }
    return out;
  }
}
