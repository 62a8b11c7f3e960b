package dev.netctl.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.ResourceCodec;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The netlink rule path against nft itself: the same policies programmed by one manager whose
 * transactions go over netlink ({@link NftBatch}) and by one whose transactions are {@code nft -f}
 * scripts, into two fresh network namespaces; after every step (each case's policies applied, then
 * deleted: first and incremental transactions) both tables must list the same, as rules ({@code nft
 * list table}) and as the kernel's expressions ({@code nft --debug=netlink list table}, which
 * prints what the kernel holds, anonymous sets and their elements included). Every case of {@link
 * PolicyCases}, both families, plus {@link #FORMS}: a policy with every rule form the renderer
 * produces.
 */
class NftNetlinkOracleIT {
  static final ResourceCodec CODEC = new ResourceCodec();
  static final String PREFIX =
      "nftnl" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt(), 6);
  static final String VIA_NETLINK = PREFIX + "-nl";
  static final String VIA_NFT = PREFIX + "-nft";

  /** Each rule form: ports, ranges and sets of them, nets, prefixes, named ports, icmp, log. */
  static final String FORMS =
      PolicyCases.calico(
          "GlobalNetworkPolicy",
          null,
          "forms",
          """
          selector: all()
          types: [Ingress, Egress]
          ingress:
          - action: Log
          - action: Deny
            protocol: TCP
            source: {nets: [10.0.16.0/20, 192.168.1.1/32, 10.1.0.0/16, 10.0.0.0/8], ports: [1000, '2000:3000']}
            destination: {notNets: [10.9.0.0/16], notPorts: ['80:81']}
          - action: Pass
            protocol: UDP
            source: {nets: [10.5.0.0/16], notNets: [10.5.1.0/24, 10.5.2.7/32]}
            destination: {ports: [53, 54, '60:70', serve-80-udp], notPorts: [55, 56]}
          - action: Allow
            protocol: TCP
            source: {nets: ['fd00::/64', 'fd01::1/128', 'fd02::/60'], notSelector: pod == 'c'}
            destination: {ports: [serve-80-tcp, 8080], notPorts: [serve-81-tcp]}
          - action: Allow
            destination: {ports: [443]}
          - action: Allow
            source: {ports: ['1:65535', 0]}
          - action: Allow
            protocol: ICMP
            icmp: {type: 8, code: 0}
          - action: Allow
            protocol: ICMPv6
            notICMP: {type: 128}
          - action: Allow
            protocol: ICMP
            notICMP: {type: 3, code: 1}
          - action: Deny
            protocol: ICMPv6
            icmp: {type: 1}
            notICMP: {type: 1, code: 4}
          - action: Allow
            protocol: ICMP
            icmp: {type: 3}
          - action: Deny
            notProtocol: SCTP
            source: {nets: ['0.0.0.0/0', '::/0']}
          egress:
          - action: Allow
            protocol: 132
            destination: {selector: pod == 'a', nets: [10.0.0.1/32], ports: ['1:2']}
          - action: Deny
            protocol: UDP
            destination: {notNets: ['fd00::/16', 'fe80::/10'], notPorts: ['100:200', 300]}
          """);

  /**
   * One rule per family with more nets than one message's element list holds (2,000 IPv4 and 1,200
   * IPv6 prefixes, none adjacent: 4,000 and 2,400 interval elements), so its anonymous set's
   * elements are split over several NEWSETELEM messages as nft splits them.
   */
  static final String MANY_NETS = manyNets();

  private static String manyNets() {
    StringBuilder v4 = new StringBuilder();
    StringBuilder v6 = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      v4.append(i == 0 ? "" : ", ").append("10.").append(i / 32).append('.').append(i % 32 * 8);
      v4.append(".0/30");
    }
    for (int i = 0; i < 1200; i++) {
      v6.append(i == 0 ? "" : ", ")
          .append("'fd00:")
          .append(Integer.toHexString(i * 2))
          .append("::/64'");
    }
    return PolicyCases.calico(
        "GlobalNetworkPolicy",
        null,
        "many-nets",
        "selector: all()\ntypes: [Ingress]\ningress:\n"
            + "- action: Allow\n  source: {nets: ["
            + v4
            + "]}\n- action: Allow\n  source: {nets: ["
            + v6
            + "]}\n");
  }

  static NftCommand.Binary viaNetlink;
  static NftCommand viaNft;

  @BeforeAll
  static void up() throws Exception {
    PodNetwork.assumeAvailable();
    PodNetwork.sh("ip", "netns", "add", VIA_NETLINK);
    PodNetwork.sh("ip", "netns", "add", VIA_NFT);
    viaNetlink = (NftCommand.Binary) NftCommand.binary(VIA_NETLINK);
    NftCommand binary = NftCommand.binary(VIA_NFT);
    // only the nft binary: every transaction and element change as an nft -f script
    viaNft =
        new NftCommand() {
          @Override
          public void run(String script) {
            binary.run(script);
          }

          @Override
          public void check(String script) {
            binary.check(script);
          }

          @Override
          public String listTableJson(String family, String name) {
            return binary.listTableJson(family, name);
          }
        };
  }

  @AfterAll
  static void down() throws Exception {
    for (String ns : List.of(VIA_NETLINK, VIA_NFT)) {
      try {
        PodNetwork.sh("ip", "netns", "del", ns);
      } catch (Exception e) {
        // not created
      }
    }
  }

  static List<Endpoint> endpoints() {
    List<Endpoint> out = new ArrayList<>();
    int i = 1;
    for (String ns : List.of("x", "y", "z")) {
      for (String pod : List.of("a", "b", "c")) {
        List<NamedPort> ports = new ArrayList<>();
        for (int port : List.of(80, 81)) {
          ports.add(new NamedPort("serve-" + port + "-tcp", Protocols.TCP, port + i));
          ports.add(new NamedPort("serve-" + port + "-udp", Protocols.UDP, port));
        }
        List<InetAddress> addrs = List.of(address("10.0.0." + i), address("fd00::" + i));
        out.add(new Endpoint(ns, pod, Map.of("pod", pod), addrs, "cali" + ns + pod, "n", ports));
        i++;
      }
    }
    return out;
  }

  private static InetAddress address(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(s, e);
    }
  }

  private static PolicyManager manager(NftCommand nft) {
    PolicyManager m = new PolicyManager(null, "cali", nft);
    for (String ns : List.of("x", "y", "z")) m.onNamespace(ns, Map.of("ns", ns));
    for (Endpoint e : endpoints()) m.onEndpointUpdate(e.id(), e);
    return m;
  }

  private static String list(String netns, String... how) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns, "nft"));
    cmd.addAll(List.of(how));
    cmd.addAll(List.of("list", "table", "inet", "netctl"));
    return sortElements(PodNetwork.sh(cmd.toArray(String[]::new)).strip());
  }

  /**
   * The listing with each set's element lines sorted (a hash set lists its elements in the order of
   * its hash, seeded per set, not in any order either writer chose) and without rule handles
   * (numbered by the table's history, which differs: nft also spends handles on its own).
   */
  static String sortElements(String listing) {
    List<String> out = new ArrayList<>();
    List<String> run = new ArrayList<>();
    for (String line : listing.split("\n", -1)) {
      line = line.replaceFirst("^(inet netctl \\S+)( \\d+)+$", "$1");
      if (line.startsWith("\telement ")) {
        run.add(line);
        continue;
      }
      run.sort(null);
      out.addAll(run);
      run.clear();
      out.add(line);
    }
    run.sort(null);
    out.addAll(run);
    return String.join("\n", out);
  }

  @Test
  void everyCaseListsTheSameWhetherWrittenOverNetlinkOrByNft() throws Exception {
    PolicyManager netlink = manager(viaNetlink);
    PolicyManager nft = manager(viaNft);
    List<PolicyCases.Case> cases = new ArrayList<>(PolicyCases.all());
    cases.addAll(PolicyCases.ipv6());
    cases.add(PolicyCases.icmp());
    cases.add(PolicyCases.icmpv6());
    cases.add(new PolicyCases.Case("every rule form", FORMS, Map.of()));
    cases.add(new PolicyCases.Case("a rule with thousands of nets", MANY_NETS, Map.of()));
    List<String> differ = new ArrayList<>();
    int steps = 0;
    String forms = "";
    String many = "";
    for (PolicyCases.Case c : cases) {
      List<Resource> rs = CODEC.read(c.yaml());
      for (boolean delete : List.of(false, true)) {
        for (PolicyManager m : List.of(netlink, nft)) {
          for (Resource r : rs) {
            if (delete) m.onDelete(r);
            else m.onUpdate(r);
          }
          m.apply();
        }
        steps++;
        if (c.yaml().equals(FORMS) && !delete) forms = list(VIA_NETLINK);
        if (c.yaml().equals(MANY_NETS) && !delete) many = list(VIA_NETLINK);
        String fallback = viaNetlink.takeFallback();
        if (fallback != null) {
          differ.add(c.name() + (delete ? " (deleted)" : "") + " went through nft: " + fallback);
        }
        for (String[] how : List.of(new String[0], new String[] {"--debug=netlink"})) {
          String a = list(VIA_NETLINK, how);
          String b = list(VIA_NFT, how);
          if (!a.equals(b)) {
            differ.add(c.name() + (delete ? " (deleted)" : "") + " " + String.join("", how));
            if (differ.size() == 1) {
              System.out.println("over netlink:\n" + a + "\nby nft:\n" + b);
            }
          }
        }
      }
    }
    assertThat(differ).as("steps whose tables differ or that went through nft").isEmpty();
    assertThat(steps).isGreaterThan(60);
    assertThat(viaNetlink.usesNetlink()).isTrue();
    assertThat(forms)
        .as("the forms' policy is rendered, not failed closed")
        .contains("ip saddr { 10.0.0.0/8, 192.168.1.1 }")
        .contains("th sport { 0-65535 }")
        .contains("icmp type echo-request icmp code net-unreachable")
        .contains("ip6 daddr != { fd00::/16, fe80::/10 }")
        .contains("log prefix")
        .doesNotContain("fail closed:");
    assertThat(many)
        .as("both many-nets rules are rendered, each with all of its nets")
        .contains("10.0.0.0/30, 10.0.8.0/30", "10.62.120.0/30 }")
        .contains("fd00::/64, fd00:2::/64", "fd00:95e::/64 }")
        .doesNotContain("fail closed:");
  }

  @Test
  void aTransactionTheEncoderDoesNotCoverGoesThroughNftAndSaysSo() {
    NftCommand.Binary nft = NftCommand.binary(VIA_NETLINK);
    // only the inet family is encoded (netctl's table is inet)
    nft.apply(
        new NftTransaction(
            "ip", "notencoded", List.of(new NftOp.AddTable(), new NftOp.AddChain("c"))));
    assertThat(nft.takeFallback()).startsWith("not encoded").contains("add table ip notencoded");
    assertThat(nft.listTableJson("ip", "notencoded")).as("nft applied it").contains("\"c\"");
  }

  @Test
  void aRefusedBatchNamesTheCommandAppliesNothingAndNftThenSaysWhy() throws Exception {
    NftCommand.Binary nft = (NftCommand.Binary) NftCommand.binary(VIA_NETLINK);
    NftRule drop =
        new NftRule(List.of(), List.of(NftStatement.Verdict.DROP), "x/p spec.ingress[0]");
    NftTransaction tx =
        new NftTransaction(
            "inet",
            "refused",
            List.of(
                new NftOp.AddTable(),
                new NftOp.AddChain("c"),
                new NftOp.AddRule("c", drop),
                new NftOp.AddRule("no-such-chain", drop)));
    assertThatThrownBy(() -> nft.apply(tx))
        .as("nft, run after the kernel refused the batch, refuses it too")
        .isInstanceOf(NftCommand.NftException.class);
    assertThat(nft.takeFallback())
        .contains("add rule inet refused no-such-chain drop comment \"x/p spec.ingress[0]\"")
        .contains("errno 2");
    assertThat(nft.listTableJson("inet", "refused")).as("all or nothing: no table").isNull();
    // netlink is used again (Binary opens a new socket after a refusal): the same commands
    // without the bad one apply over netlink
    nft.apply(new NftTransaction("inet", "refused", tx.ops().subList(0, 3)));
    assertThat(nft.takeFallback()).isNull();
    assertThat(nft.listTableJson("inet", "refused")).contains("x/p spec.ingress[0]");
  }

  @Test
  void aClosedCommandReleasesItsSocketAndGoesOnThroughNft() throws Exception {
    long before = openSockets();
    NftCommand.Binary nft = NftCommand.binary(VIA_NETLINK);
    List<NftOp> table = List.of(new NftOp.AddTable(), new NftOp.AddChain("c"));
    nft.apply(new NftTransaction("inet", "closing", table));
    assertThat(nft.usesNetlink()).isTrue();
    assertThat(openSockets()).as("the netfilter socket").isEqualTo(before + 1);

    nft.close();
    assertThat(openSockets()).as("released").isEqualTo(before);
    nft.apply(new NftTransaction("inet", "closing", List.of(new NftOp.AddChain("d"))));
    assertThat(nft.takeFallback()).isEqualTo("closed");
    assertThat(openSockets()).as("not opened again").isEqualTo(before);
    assertThat(nft.listTableJson("inet", "closing")).contains("\"d\"");
  }

  /** This process's open sockets. */
  static long openSockets() throws Exception {
    try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
      return fds.filter(
              fd -> {
                try {
                  return java.nio.file.Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (java.io.IOException e) {
                  return false; // closed meanwhile (the listing's own descriptor)
                }
              })
          .count();
    }
  }

  @Test
  void aSocketThatGotARefusalHasReadAllOfItsAnswersAndAppliesTheNextBatch() {
    NftRule drop = NftRule.of(List.of(), NftStatement.Verdict.DROP);
    List<NftOp> good = List.of(new NftOp.AddTable(), new NftOp.AddChain("c"));
    List<NftOp> bad = new ArrayList<>(good);
    bad.add(new NftOp.AddRule("no-such-chain", drop));
    try (NftNetlink socket = NftNetlink.open(VIA_NETLINK)) {
      assertThatThrownBy(() -> socket.apply(new NftTransaction("inet", "same-socket", bad)))
          .isInstanceOf(NftCommand.NftException.class)
          .hasMessageContaining("errno 2");
      assertThat(socket.apply(new NftTransaction("inet", "same-socket", good))).isTrue();
    }
    assertThat(NftCommand.binary(VIA_NETLINK).listTableJson("inet", "same-socket"))
        .contains("\"c\"");
  }
}
