package dev.netctl.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.ResourceCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a user changes while traffic flows, and what the conformance suite checks beyond {@link
 * PolicyNetnsIT}'s matrices, on real nftables: two node netns, pods x/a, x/b, y/a, y/b on the first
 * and x/c, y/c on the second, wired as Calico wires them ({@link PodNetwork}). Every expectation is
 * written from the Kubernetes/Calico semantics, and the manager's {@link Evaluator} must agree with
 * the kernel on every new flow probed.
 */
class PolicyChangesNetnsIT {
  static final ResourceCodec CODEC = new ResourceCodec();
  static PodNetwork net;

  /** The endpoints as the managers know them now (tests relabel them). */
  final Map<String, Endpoint> endpoints = new LinkedHashMap<>();

  List<PolicyManager> managers;
  final List<Resource> applied = new ArrayList<>();

  @BeforeAll
  static void up() throws Exception {
    PodNetwork.assumeAvailable();
    net = new PodNetwork("pch", List.of("x", "y"), List.of("a", "b", "c"), List.of(80, 81));
  }

  @AfterAll
  static void down() {
    if (net != null) net.close();
  }

  @BeforeEach
  void cluster() {
    for (PodNetwork.Pod p : net.pods.values()) endpoints.put(p.id(), endpoint(p, Map.of(), 80));
    managers = new ArrayList<>();
    for (String node : List.of(net.node, net.node2)) {
      PolicyManager m = new PolicyManager(node, "cali", NftCommand.binary(node));
      for (String ns : List.of("x", "y")) m.onNamespace(ns, Map.of("ns", ns));
      endpoints.values().forEach(e -> m.onEndpointUpdate(e.id(), e));
      managers.add(m);
    }
  }

  @AfterEach
  void removePolicies() {
    for (Resource r : applied) managers.forEach(m -> m.onDelete(r));
    managers.forEach(PolicyManager::apply);
  }

  private static Endpoint endpoint(PodNetwork.Pod p, Map<String, String> extra, int web) {
    Map<String, String> labels = new HashMap<>(extra);
    labels.put("pod", p.name());
    return new Endpoint(
        p.ns(),
        p.name(),
        labels,
        List.of(p.ip(), p.ip6()),
        p.iface(),
        p.node(),
        List.of(new NamedPort("web", Protocols.TCP, web)));
  }

  private void relabel(String id, Map<String, String> extra) {
    Endpoint e = endpoints.get(id);
    Map<String, String> labels = new HashMap<>(extra);
    labels.put("pod", e.name());
    Endpoint now =
        new Endpoint(
            e.namespace(), e.name(), labels, e.addresses(), e.interfaceName(), e.node(), e.ports());
    endpoints.put(id, now);
    managers.forEach(m -> m.onEndpointUpdate(id, now));
  }

  private List<Resource> apply(String yaml) {
    List<Resource> rs = CODEC.read(yaml);
    for (Resource r : rs) managers.forEach(m -> m.onUpdate(r));
    applied.addAll(rs);
    managers.forEach(PolicyManager::apply);
    return rs;
  }

  private String applyChanges() {
    StringBuilder scripts = new StringBuilder();
    managers.forEach(m -> scripts.append(m.apply()));
    return scripts.toString();
  }

  /**
   * New TCP connections from {@code from} to each {@code to:port}: the kernel's and the evaluator's
   * answers must both equal {@code expected} (the letters: {@code .} allowed, {@code X} denied).
   */
  private void expect(String from, String expected, String... targets) throws IOException {
    List<String> probes = new ArrayList<>();
    for (String t : targets) {
      String[] tp = target(t);
      probes.add(address(tp[0]).getHostAddress() + "," + tp[1] + ",TCP");
    }
    List<Boolean> kernel = net.probeFrom(from, probes);
    Evaluator ev = managers.getFirst().evaluator();
    StringBuilder k = new StringBuilder();
    StringBuilder e = new StringBuilder();
    for (int i = 0; i < targets.length; i++) {
      String[] tp = target(targets[i]);
      k.append(kernel.get(i) ? '.' : 'X');
      InetAddress dst = address(tp[0]);
      // the kernel sends from the pod's address of the destination's family
      InetAddress src = dst instanceof Inet6Address ? net.pods.get(from).ip6() : address(from);
      boolean predicted =
          ev.evaluate(src, dst, Protocols.TCP, Integer.parseInt(tp[1]), false).allowed();
      e.append(predicted ? '.' : 'X');
    }
    String what = from + " -> " + String.join(" ", targets);
    assertThat(k.toString()).as("kernel: " + what).isEqualTo(expected);
    assertThat(e.toString()).as("evaluator: " + what).isEqualTo(expected);
  }

  /** {@code pod:port} or {@code address:port} (IPv6 too: the port follows the last colon). */
  private static String[] target(String t) {
    int colon = t.lastIndexOf(':');
    return new String[] {t.substring(0, colon), t.substring(colon + 1)};
  }

  private static InetAddress address(String podOrAddress) throws IOException {
    PodNetwork.Pod p = net.pods.get(podOrAddress);
    return p != null ? p.ip() : InetAddress.getByName(podOrAddress);
  }

  @Test
  void aNamedPortResolvesToEachPodsOwnNumberForIngressAndEgress() throws Exception {
    // "web" is 80 on most pods, 81 on x/b, x/c and y/b
    for (String id : List.of("x/b", "x/c", "y/b")) {
      PodNetwork.Pod p = net.pods.get(id);
      endpoints.put(id, endpoint(p, Map.of(), 81));
      managers.forEach(m -> m.onEndpointUpdate(id, endpoints.get(id)));
    }
    List<Resource> in =
        apply(PolicyCases.knp("x", "web-in", "podSelector: {}\ningress:\n- ports:\n  - port: web"));
    expect("y/a", ".XX.X.", "x/a:80", "x/a:81", "x/b:80", "x/b:81", "x/c:80", "x/c:81");
    in.forEach(r -> managers.forEach(m -> m.onDelete(r)));
    // egress: the name resolves on the destination, the peer
    apply(
        PolicyCases.knp(
            "x",
            "web-out",
            "podSelector: {}\npolicyTypes: [Egress]\negress:\n- ports:\n  - port: web"));
    expect("x/a", "X..X", "y/b:80", "y/b:81", "y/c:80", "y/c:81");
    expect("x/c", ".X", "y/a:80", "y/a:81");
  }

  @Test
  void podLabelChangesMoveAPodInAndOutOfSelectorsThroughSetElementsAndDispatch() throws Exception {
    relabel("x/a", Map.of("app", "web"));
    relabel("x/b", Map.of("app", "web"));
    applyChanges();
    apply(
        PolicyCases.knp(
            "x",
            "clients",
            "podSelector: {matchLabels: {app: web}}\ningress:\n- from:\n  - namespaceSelector: {}\n    podSelector: {matchLabels: {role: client}}"));
    expect("y/a", "XX.", "x/a:80", "x/b:80", "x/c:80");

    // two sources gain the label: only set elements change, no chain is rewritten
    relabel("y/a", Map.of("role", "client"));
    relabel("y/c", Map.of("role", "client"));
    assertThat(applyChanges()).as("a source relabelled").doesNotContain("chain");
    expect("y/a", "...", "x/a:80", "x/b:80", "x/c:80");
    expect("y/c", "..", "x/a:80", "x/b:80");
    expect("y/b", "XX", "x/a:80", "x/b:80");

    // a destination leaves the policy's podSelector, another (on the other node) joins it
    relabel("x/b", Map.of("app", "other"));
    relabel("x/c", Map.of("app", "web"));
    applyChanges();
    expect("y/b", "X.X", "x/a:80", "x/b:80", "x/c:80");
    expect("y/c", "...", "x/a:80", "x/b:80", "x/c:80");

    // a source loses the label
    relabel("y/a", Map.of());
    applyChanges();
    expect("y/a", "X.X", "x/a:80", "x/b:80", "x/c:80");
  }

  @Test
  void establishedConnectionsOutliveAPolicyThatDeniesThemWhileNewOnesAreRefused() throws Exception {
    PodNetwork.Pod xa = net.pods.get("x/a");
    String port = startEcho(xa.netns());
    // one connection from the same node, one across nodes
    Holder local = new Holder("y/a", xa.ip(), port);
    Holder remote = new Holder("y/c", xa.ip(), port);
    assertThat(local.roundTrip()).isEqualTo("echo");
    assertThat(remote.roundTrip()).isEqualTo("echo");

    List<Resource> deny = apply(PolicyCases.knp("x", "deny", "podSelector: {}"));
    expect("y/a", "X", "x/a:" + port);
    expect("y/c", "X", "x/a:" + port);
    // Calico keeps flows conntrack knows (ct state established is accepted first)
    assertThat(local.roundTrip()).as("established, same node").isEqualTo("echo");
    assertThat(remote.roundTrip()).as("established, across nodes").isEqualTo("echo");

    // a Calico Deny of exactly these sources, ordered before everything: still established
    List<Resource> calicoDeny =
        apply(
            PolicyCases.calico(
                "GlobalNetworkPolicy",
                null,
                "deny-y",
                "order: 1\nselector: pod == 'a'\ningress:\n- action: Deny\n  source: {namespaceSelector: ns == 'y'}"));
    assertThat(local.roundTrip()).as("established under a Deny").isEqualTo("echo");

    for (Resource r : deny) managers.forEach(m -> m.onDelete(r));
    for (Resource r : calicoDeny) managers.forEach(m -> m.onDelete(r));
    applyChanges();
    expect("y/a", ".", "x/a:" + port);
    expect("y/c", ".", "x/a:" + port);
    assertThat(local.roundTrip()).isEqualTo("echo");
  }

  @Test
  void egressToAnAddressOutsideTheClusterFollowsIpBlocksInBothFamilies() throws Exception {
    // a server on the second node's own addresses: not a workload, reached through the first
    // node's forward hook like any address outside the cluster
    String port = startEcho(net.node2);
    String other = startEcho(net.node2);
    String v4 = "192.168.77.2";
    String v6 = "fd77:ff::2";
    expect("x/a", "..", v4 + ":" + port, v6 + ":" + port);
    apply(
        PolicyCases.knp(
            "x",
            "out",
            """
            podSelector: {}
            policyTypes: [Egress]
            egress:
            - to:
              - ipBlock: {cidr: 192.168.77.0/30, except: [192.168.77.1/32]}
              - ipBlock: {cidr: 'fd77:ff::/126'}
              ports:
              - port: %s
            """
                .formatted(port)));
    expect("x/a", "..XX", v4 + ":" + port, v6 + ":" + port, v4 + ":" + other, "y/a:80");
    expect("y/a", "..", v4 + ":" + port, v4 + ":" + other);
    // x/c lives on that node: its traffic to the node's addresses takes the input hook, and its
    // egress policy applies there too, as in Calico (IPv6 after its neighbours were forgotten:
    // neighbour discovery with the node passes before policy)
    net.flushIpv6Neighbours();
    expect("x/c", "..XX", v6 + ":" + port, v4 + ":" + port, v4 + ":" + other, v6 + ":" + other);
    // the IPv6 block goes: only IPv6 is refused
    apply(
        PolicyCases.knp(
            "x",
            "out",
            "podSelector: {}\npolicyTypes: [Egress]\negress:\n- to:\n  - ipBlock: {cidr: 192.168.77.2/32}"));
    expect("x/a", ".X", v4 + ":" + port, v6 + ":" + port);
    expect("x/b", ".X", v4 + ":" + port, v6 + ":" + port);
  }

  @Test
  void aRuleWithIpVersionLeavesTheOtherFamilyToTheNextRule() throws Exception {
    // rule 0 has no address (one nft rule with a family match), rule 1 a selector (only its
    // family's variant), rule 2 nothing but the family
    apply(
        PolicyCases.calico(
            "NetworkPolicy",
            "x",
            "by-family",
            """
            ingress:
            - action: Deny
              ipVersion: 6
              protocol: TCP
              destination: {ports: [80]}
            - action: Allow
              ipVersion: 4
              source: {selector: pod == 'a', namespaceSelector: all()}
            - action: Allow
              ipVersion: 6
            """));
    for (String to : List.of("x/a", "x/c")) {
      String v6 = net.pods.get(to).ip6().getHostAddress();
      String[] targets = {to + ":80", to + ":81", v6 + ":80", v6 + ":81"};
      // IPv4 passes the IPv6 Deny by; IPv6 passes the IPv4 Allow by
      expect("y/a", "..X.", targets);
      expect("y/b", "XXX.", targets);
    }
  }

  @Test
  void aTierWithDefaultActionPassLetsTheNextTierDecide() throws Exception {
    String tier =
        "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: security}\nspec: {order: 10,"
            + " defaultAction: %s}\n";
    apply(
        tier.formatted("Pass")
            + "---\n"
            + PolicyCases.calico(
                "GlobalNetworkPolicy",
                null,
                "security.no-c",
                "tier: security\nnamespaceSelector: ns == 'x'\ningress:\n- action: Deny\n  source:"
                    + " {selector: pod == 'c', namespaceSelector: all()}")
            + PolicyCases.knp(
                "x",
                "from-y-80",
                "podSelector: {}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: y}}\n"
                    + "  ports:\n  - port: 80"));
    String[] targets = {"x/a:80", "x/a:81", "x/c:80"};
    // security decides only about y/c; the rest goes on to the default tier's policy
    expect("y/a", ".X.", targets);
    expect("y/b", ".X.", targets);
    expect("y/c", "XXX", targets);
    expect("x/b", "XXX", targets);
    // Deny (the default): the end of security drops what it did not decide
    apply(tier.formatted("Deny"));
    expect("y/a", "XXX", targets);
    expect("y/c", "XXX", targets);
  }

  @Test
  void serviceAccountNamesAndLabelsSelectSourcesAndALabelChangeIsSetElementsOnly()
      throws Exception {
    relabel("y/a", Map.of(Labels.SERVICE_ACCOUNT, "web"));
    relabel("y/b", Map.of(Labels.SERVICE_ACCOUNT, "api"));
    String profile =
        "apiVersion: projectcalico.org/v3\nkind: Profile\nmetadata: {name: ksa.y.%s}\nspec:\n"
            + "  labelsToApply: {team: %s}\n---\n";
    apply(
        profile.formatted("web", "a")
            + profile.formatted("api", "a")
            + PolicyCases.calico(
                "NetworkPolicy",
                "x",
                "by-sa",
                "ingress:\n- action: Allow\n  source:\n    namespaceSelector: ns == 'y'\n"
                    + "    serviceAccounts: {names: [web], selector: team == 'a'}"));
    String[] targets = {"x/a:80", "x/c:80"};
    expect("y/a", "..", targets);
    expect("y/b", "XX", targets); // another account, though labelled alike
    expect("y/c", "XX", targets); // no account
    // the account's labels change: the source leaves the set, no chain is rewritten
    for (Resource r : CODEC.read(profile.formatted("web", "b"))) {
      managers.forEach(m -> m.onUpdate(r));
    }
    assertThat(applyChanges()).as("a service account relabelled").doesNotContain("chain");
    expect("y/a", "XX", targets);
  }

  @Test
  void aRuleOnSourcePortsIsWhatExplainWithASourcePortAnswers() throws Exception {
    // the two UDP probes of the next round leave from sport and sport + 1: only sport is allowed
    int sport = net.nextSourcePort();
    apply(
        PolicyCases.calico(
            "NetworkPolicy",
            "x",
            "from-port",
            "ingress:\n- action: Allow\n  protocol: UDP\n  source: {ports: [%d]}"
                .formatted(sport)));
    InetAddress xa = net.pods.get("x/a").ip();
    List<Boolean> kernel =
        net.probeFrom(
            "y/a", List.of(xa.getHostAddress() + ",80,UDP", xa.getHostAddress() + ",80,UDP"));
    Evaluator ev = managers.getFirst().evaluator();
    InetAddress ya = net.pods.get("y/a").ip();
    List<Boolean> predicted =
        List.of(
            ev.evaluate(ya, sport, xa, Protocols.UDP, 80, false).allowed(),
            ev.evaluate(ya, sport + 1, xa, Protocols.UDP, 80, false).allowed());
    assertThat(kernel).as("kernel").containsExactly(true, false);
    assertThat(predicted).as("evaluator").containsExactly(true, false);
    assertThat(ev.evaluate(ya, xa, Protocols.UDP, 80).allowed())
        .as("no source port given: the rule does not match")
        .isFalse();
  }

  @Test
  void sctpIsFilteredByPortLikeTcp() throws Exception {
    // the kernel here has no SCTP sockets, but netfilter knows SCTP: raw INIT chunks are sent and
    // the destination's raw socket reports which arrived
    PodNetwork.Pod xa = net.pods.get("x/a");
    Process rx = net.start(py(xa.netns(), SCTP_RECEIVER));
    BufferedReader rxOut = reader(rx);
    Writer rxIn = writer(rx);
    assertThat(rxOut.readLine()).isEqualTo("ready");
    apply(
        PolicyCases.knp(
            "x",
            "sctp",
            "podSelector: {matchLabels: {pod: a}}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: y}}\n  ports:\n  - {protocol: SCTP, port: 80}"));
    // the refused sender first: once the allowed ones' INITs are in, one sent before them through
    // the same veth pair would be too, so polling for the allowed ones bounds the wait without a
    // fixed sleep the receiver's thread may not meet on a loaded machine
    for (String from : List.of("x/b", "y/a", "y/c")) {
      PodNetwork.sh(
          "ip",
          "netns",
          "exec",
          net.pods.get(from).netns(),
          "/usr/bin/python3",
          "-c",
          SCTP_SENDER,
          xa.ip().getHostAddress(),
          "80",
          "81");
    }
    String y = net.pods.get("y/a").ip().getHostAddress();
    String yc = net.pods.get("y/c").ip().getHostAddress();
    Set<String> allowed = Set.of(y + ":80", yc + ":80");
    Set<String> arrived = Set.of();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!arrived.containsAll(allowed) && System.nanoTime() < deadline) {
      rxIn.write("?\n");
      rxIn.flush();
      String line = rxOut.readLine();
      assertThat(line).as("receiver still answering").isNotNull();
      arrived = line.isBlank() ? Set.of() : Set.of(line.split(" "));
      if (!arrived.containsAll(allowed)) Thread.sleep(50);
    }
    assertThat(arrived).as("SCTP INITs that reached x/a (source:port)").isEqualTo(allowed);
    Evaluator ev = managers.getFirst().evaluator();
    assertThat(ev.evaluate(address("y/a"), xa.ip(), Protocols.SCTP, 80).allowed()).isTrue();
    assertThat(ev.evaluate(address("y/a"), xa.ip(), Protocols.SCTP, 81).allowed()).isFalse();
    assertThat(ev.evaluate(address("x/b"), xa.ip(), Protocols.SCTP, 80).allowed()).isFalse();
    rx.destroyForcibly();
  }

  @Test
  void notIcmpWithACodeExcludesThatTypeAndCodeOnly() throws Exception {
    // ping sends echo requests, type 8 code 0: x/a excludes exactly those, x/b another code
    apply(
        PolicyCases.calico(
            "NetworkPolicy",
            "x",
            "not-echo",
            "selector: pod == 'a'\ningress:\n- action: Allow\n  protocol: ICMP\n  notICMP: {type: 8, code: 0}"));
    apply(
        PolicyCases.calico(
            "NetworkPolicy",
            "x",
            "not-code-1",
            "selector: pod == 'b'\ningress:\n- action: Allow\n  protocol: ICMP\n  notICMP: {type: 8, code: 1}"));
    assertThat(managers.getFirst().failures()).as("both rendered, none fails closed").isEmpty();
    List<String> pings = new ArrayList<>();
    for (String to : List.of("x/a", "x/b")) pings.add(address(to).getHostAddress() + ",8,ICMP");
    assertThat(net.probeFrom("y/a", pings))
        .as("kernel: pings to x/a, x/b")
        .containsExactly(false, true);
    Evaluator ev = managers.getFirst().evaluator();
    assertThat(ev.evaluate(address("y/a"), address("x/a"), Protocols.ICMP, 8).allowed()).isFalse();
    assertThat(ev.evaluate(address("y/a"), address("x/b"), Protocols.ICMP, 8).allowed()).isTrue();
  }

  // ------------------------------------------------------------------ helpers

  static final String ECHO =
      """
      import socket, threading
      s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
      s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
      s.bind(('::', 0)); s.listen(16)
      print(s.getsockname()[1], flush=True)
      def serve(c):
          while True:
              d = c.recv(64)
              if not d: break
              c.sendall(d)
      while True:
          c, _ = s.accept()
          threading.Thread(target=serve, args=(c,), daemon=True).start()
      """;

  static final String HOLDER =
      """
      import socket, sys
      s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
      print('connected', flush=True)
      s.settimeout(2)
      for line in sys.stdin:
          try:
              s.sendall(line.encode()); print('echo' if s.recv(64) else 'closed', flush=True)
          except Exception:
              print('lost', flush=True)
      """;

  /** Sends one SCTP INIT (RFC 9260 §3.3.2, CRC32c checksum) per port from a raw socket. */
  static final String SCTP_SENDER =
      """
      import os, socket, struct, sys
      def crc32c(data):
          crc = 0xffffffff
          for b in data:
              crc ^= b
              for _ in range(8):
                  crc = (crc >> 1) ^ (0x82f63b78 if crc & 1 else 0)
          return crc ^ 0xffffffff
      s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 132)
      for port in map(int, sys.argv[2:]):
          tag = struct.unpack('!I', os.urandom(4))[0] | 1
          init = struct.pack('!BBHIIHHI', 1, 0, 20, tag, 65535, 1, 1, tag)
          head = struct.pack('!HHII', 40000 + port, port, 0, 0)
          pkt = head + init
          pkt = pkt[:8] + struct.pack('<I', crc32c(pkt)) + pkt[12:]
          s.sendto(pkt, (sys.argv[1], 0))
      """;

  /** Records the SCTP packets that arrive; "?" prints their source:port, sorted. */
  static final String SCTP_RECEIVER =
      """
      import socket, struct, sys, threading
      s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 132)
      got = set()
      def rx():
          while True:
              d, a = s.recvfrom(2048)
              ihl = (d[0] & 15) * 4
              got.add(a[0] + ':' + str(struct.unpack('!H', d[ihl + 2:ihl + 4])[0]))
      threading.Thread(target=rx, daemon=True).start()
      print('ready', flush=True)
      for line in sys.stdin:
          print(' '.join(sorted(got)), flush=True)
      """;

  private static List<String> py(String netns, String script, String... args) {
    List<String> cmd =
        new ArrayList<>(List.of("ip", "netns", "exec", netns, "/usr/bin/python3", "-c", script));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static BufferedReader reader(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }

  private static Writer writer(Process p) {
    return new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
  }

  /** Starts an echo server in {@code netns}; returns its port. */
  private static String startEcho(String netns) throws IOException {
    Process p = net.start(py(netns, ECHO));
    String port = reader(p).readLine();
    if (port == null) throw new IOException("echo server in " + netns + " did not start");
    return port;
  }

  /** A TCP connection held open from a pod: each round trip sends a line and awaits its echo. */
  private static final class Holder {
    final BufferedReader out;
    final Writer in;

    Holder(String pod, InetAddress to, String port) throws IOException {
      Process p = net.start(py(net.pods.get(pod).netns(), HOLDER, to.getHostAddress(), port));
      out = reader(p);
      in = writer(p);
      assertThat(out.readLine()).as(pod + " connects").isEqualTo("connected");
    }

    String roundTrip() throws IOException {
      in.write("ping\n");
      in.flush();
      return out.readLine();
    }
  }
}
