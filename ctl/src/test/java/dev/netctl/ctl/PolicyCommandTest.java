package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCommandTest {
  @TempDir Path dir;

  static final String PODS =
      """
      apiVersion: v1
      kind: Namespace
      metadata: {name: x, labels: {team: red}}
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: y, labels: {team: blue}}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: a, namespace: x, labels: {app: web}}
      spec:
        containers:
        - name: c
          ports: [{name: http, containerPort: 8080}]
      status: {podIP: 10.1.0.1, podIPs: [{ip: 10.1.0.1}, {ip: 'fd00::1'}]}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: b, namespace: y, labels: {app: db}}
      spec: {containers: [{name: c}]}
      status: {podIPs: [{ip: 10.1.0.2}, {ip: 'fd00::2'}]}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: c, namespace: y, labels: {app: web}}
      spec: {containers: [{name: c}]}
      """;

  static final String POLICY =
      """
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: web-from-red, namespace: x}
      spec:
        podSelector: {matchLabels: {app: web}}
        ingress:
        - from:
          - namespaceSelector: {matchLabels: {team: blue}}
            podSelector: {matchLabels: {app: db}}
          ports:
          - port: http
      """;

  private Cli.Run run(String... args) throws Exception {
    // a test may have written its own variant first
    if (!Files.exists(dir.resolve("pods.yaml"))) Files.writeString(dir.resolve("pods.yaml"), PODS);
    if (!Files.exists(dir.resolve("policy.yaml"))) {
      Files.writeString(dir.resolve("policy.yaml"), POLICY);
    }
    return new Cli(null).run(args);
  }

  /** {@code policy explain} on the manifests, port 8080. */
  private Cli.Run explain(String from, String to, String... more) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "policy",
                "explain",
                "-f",
                dir.toString(),
                "--from",
                from,
                "--to",
                to,
                "--port",
                "8080"));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  @Test
  void explainNamesTheDecidingPolicyAndRulePerDirection() throws Exception {
    Cli.Run r = explain("y/b", "x/a");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .isEqualTo(
            """
            verdict: allow
            from:    y/b (10.1.0.2)
            to:      x/a (10.1.0.1)
            port:    8080/TCP
            egress:  not isolated for egress
            ingress: allowed by KubernetesNetworkPolicy x/web-from-red spec.ingress[0].from[0].ports[0]
            """);
    Cli.Run denied =
        run(
            "policy",
            "explain",
            "-f",
            dir.toString(),
            "--from",
            "y/c",
            "--to",
            "10.1.0.1",
            "--port",
            "TCP/8080",
            "-o",
            "json");
    assertThat(denied.out())
        .contains("\"verdict\" : \"deny\"")
        .contains(
            "\"reason\" : \"isolated by KubernetesNetworkPolicy x/web-from-red; no rule allows\"")
        .contains("\"from\" : \"y/c (198.18.0.1)\"");
    assertThat(denied.err())
        .contains("note: pod y/c has no status.podIP: using a synthetic address");
  }

  @Test
  void explainTakesASourcePortForRulesOnSourcePorts() throws Exception {
    Files.writeString(
        dir.resolve("policy.yaml"),
        """
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata: {name: from-high, namespace: x}
        spec:
          ingress:
          - action: Allow
            protocol: TCP
            source: {ports: ['1024:65535']}
        """);
    Cli.Run high = explain("y/b", "x/a", "--source-port", "40000");
    assertThat(high.exitCode()).as(high.toString()).isZero();
    assertThat(high.out())
        .contains("port:    8080/TCP\nsport:   40000\n")
        .contains("ingress: allowed by NetworkPolicy x/from-high spec.ingress[0]");
    assertThat(explain("y/b", "x/a", "--source-port", "53").out())
        .contains("verdict: deny")
        .contains("isolated by NetworkPolicy x/from-high; no rule allows");
    assertThat(explain("y/b", "x/a").out())
        .as("no source port: the verdict per range of source ports, not a silent deny")
        .isEqualTo(
            """
            verdict: depends on the source port (--source-port PORT asks about one)
            from:    y/b (10.1.0.2)
            to:      x/a (10.1.0.1)
            port:    8080/TCP
            sport 1-1023: deny
              egress:  not isolated for egress
              ingress: isolated by NetworkPolicy x/from-high; no rule allows
            sport 1024-65535: allow
              egress:  not isolated for egress
              ingress: allowed by NetworkPolicy x/from-high spec.ingress[0]
            """);
    String json = explain("y/b", "x/a", "-o", "json").out();
    assertThat(json)
        .contains("\"verdict\" : \"depends-on-source-port\"")
        .contains("\"sourcePorts\" : \"1-1023\"")
        .contains("\"sourcePorts\" : \"1024-65535\"");
    assertThat(explain("y/b", "x/a", "--source-port", "40000", "-o", "json").out())
        .contains("\"sourcePort\" : 40000");
    Cli.Run bad = explain("y/b", "x/a", "--source-port", "0");
    assertThat(bad.exitCode()).isNotZero();
    assertThat(bad.err()).contains("--source-port 0: must be a port 1-65535");
    Cli.Run icmp =
        run(
            "policy",
            "explain",
            "-f",
            dir.toString(),
            "--from",
            "y/b",
            "--to",
            "x/a",
            "--port",
            "8/ICMP",
            "--source-port",
            "5");
    assertThat(icmp.exitCode()).isNotZero();
    assertThat(icmp.err()).contains("protocol ICMP has no ports");
  }

  @Test
  void explainWithoutASourcePortSplitsOnlyWhereTheVerdictChanges() throws Exception {
    // a named source port (x/a's http is 8080), a single port, a notPorts range, and a policy of
    // the other direction whose source port condition every port satisfies
    Files.writeString(
        dir.resolve("policy.yaml"),
        """
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata: {name: sports, namespace: x}
        spec:
          ingress:
          - action: Allow
            protocol: TCP
            source: {ports: [http]}
          - action: Deny
            protocol: TCP
            source: {ports: [53]}
          - action: Allow
            protocol: TCP
            source: {notPorts: ['1:1023']}
        ---
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata: {name: any-source, namespace: y}
        spec:
          selector: app == 'db'
          egress:
          - action: Allow
            protocol: TCP
            source: {ports: ['1:65535']}
        """);
    String fromB = explain("y/b", "x/a").out();
    assertThat(fromB.lines().filter(l -> l.startsWith("sport ")))
        .as("53 is denied by its own rule, the rest of 1-1023 by isolation; y/b has no port http")
        .containsExactly(
            "sport 1-52: deny", "sport 53: deny", "sport 54-1023: deny", "sport 1024-65535: allow");
    assertThat(fromB)
        .contains("sport 53: deny\n  egress:  allowed by NetworkPolicy y/any-source spec.egress[0]")
        .contains("  ingress: denied by NetworkPolicy x/sports spec.ingress[1]\n");
    String fromA = explain("x/a", "x/a").out();
    assertThat(fromA.lines().filter(l -> l.startsWith("sport ")))
        .as("the source's named port is resolved on the source pod: 8080 is its own stretch")
        .containsExactly(
            "sport 1-52: deny",
            "sport 53: deny",
            "sport 54-1023: deny",
            "sport 1024-8079: allow",
            "sport 8080: allow",
            "sport 8081-65535: allow");
    assertThat(explain("y/b", "10.1.0.9").out())
        .as("a source port condition every port satisfies: one verdict, printed as for one port")
        .isEqualTo(
            """
            verdict: allow
            from:    y/b (10.1.0.2)
            to:      10.1.0.9
            port:    8080/TCP
            egress:  allowed by NetworkPolicy y/any-source spec.egress[0]
            ingress: 10.1.0.9 is not a workload: no policy
            """);
  }

  @Test
  void explainMatchesServiceAccountsOfPodsAndTheirLabels() throws Exception {
    Files.writeString(
        dir.resolve("policy.yaml"),
        """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: default, namespace: y, labels: {trusted: 'yes'}}
        ---
        apiVersion: projectcalico.org/v3
        kind: GlobalNetworkPolicy
        metadata: {name: trusted-only}
        spec:
          namespaceSelector: team == 'red'
          ingress:
          - action: Allow
            source: {serviceAccounts: {names: [default], selector: trusted == 'yes'}}
        """);
    // y's pods run as default (no serviceAccountName: the API server's default)
    assertThat(explain("y/b", "x/a").out())
        .contains("ingress: allowed by GlobalNetworkPolicy trusted-only spec.ingress[0]");
    Files.writeString(
        dir.resolve("policy.yaml"),
        Files.readString(dir.resolve("policy.yaml")).replace("trusted: 'yes'", "trusted: 'no'"));
    assertThat(explain("y/b", "x/a").out()).contains("verdict: deny");
  }

  @Test
  void aBadServiceAccountIsRefusedNamingItsOwnFields() throws Exception {
    Files.writeString(
        dir.resolve("policy.yaml"),
        """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: web, namespace: y, labels: {'bad key!': 'v v'}}
        """);
    Cli.Run labels = explain("y/b", "x/a");
    assertThat(labels.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(labels.err())
        .as("the ServiceAccount and its metadata.labels, not the ksa.y.web Profile it becomes")
        .startsWith(
            "error: "
                + dir.resolve("policy.yaml")
                + ": document 1 (ServiceAccount \"y/web\"):"
                + " metadata.labels \"bad key!\"")
        .contains("metadata.labels[bad key!] \"v v\"")
        .doesNotContain("Profile", "ksa.");

    Files.writeString(
        dir.resolve("policy.yaml"),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: Web_1, namespace: Y}\n");
    Cli.Run name = explain("y/b", "x/a");
    assertThat(name.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(name.err())
        .contains(
            "(ServiceAccount \"Y/Web_1\"): metadata.name \"Web_1\" must be a DNS-1123 subdomain\n",
            "(ServiceAccount \"Y/Web_1\"): metadata.namespace \"Y\" must be a lower-case DNS-1123"
                + " label\n")
        .doesNotContain("Profile");

    for (String[] bad :
        new String[][] {
          {"kind: Pod\nmetadata: {name: Bad_Pod, namespace: y}", "metadata.name \"Bad_Pod\""},
          {"kind: Pod\nmetadata: {name: p, namespace: Y}", "metadata.namespace \"Y\""},
          {"kind: Namespace\nmetadata: {name: a.b}", "metadata.name \"a.b\""}
        }) {
      Files.writeString(dir.resolve("policy.yaml"), "apiVersion: v1\n" + bad[0] + "\n");
      Cli.Run r = explain("y/b", "x/a");
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.INVALID);
      assertThat(r.err()).as(r.toString()).contains(bad[1] + " must be");
    }
  }

  @Test
  void aPolicyAsKubectlPrintsItIsReadWithoutItsServerFields() throws Exception {
    // kubectl get networkpolicy -o yaml adds status and server metadata: the policy still counts.
    Files.writeString(
        dir.resolve("policy.yaml"),
        POLICY.replace(
                "metadata: {name: web-from-red, namespace: x}",
                "metadata: {name: web-from-red, namespace: x, generation: 2, uid: u-1,"
                    + " resourceVersion: '77', managedFields: [{manager: kubectl}]}")
            + "status: {}\n");

    Cli.Run r = explain("y/c", "x/a");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("verdict: deny")
        .contains("ingress: isolated by KubernetesNetworkPolicy x/web-from-red; no rule allows");
  }

  @Test
  void matrixPrintsOneTablePerPortAndJsonCells() throws Exception {
    Cli.Run r = run("policy", "matrix", "-f", dir.toString(), "--ports", "8080/TCP,8080/UDP");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .isEqualTo(
            """
            8080/TCP  x/a  y/b  y/c
            x/a       -    .    .
            y/b       .    -    .
            y/c       X    .    -

            8080/UDP  x/a  y/b  y/c
            x/a       -    .    .
            y/b       X    -    .
            y/c       X    .    -
            """);
    Cli.Run json =
        run("policy", "matrix", "-f", dir.toString(), "--ports", "8080/TCP", "-o", "json");
    assertThat(json.out())
        .contains(
            "{\n  \"from\" : \"y/c\",\n  \"to\" : \"x/a\",\n  \"port\" : \"8080/TCP\",\n  \"allowed\" : false\n}")
        .doesNotContain("\"from\" : \"x/a\",\n  \"to\" : \"x/a\"");
  }

  @Test
  void withoutFilesItReadsTheDatastore() throws Exception {
    Cli cli = new Cli("embedded:" + dir.resolve("s.db"));
    Files.writeString(
        dir.resolve("store.yaml"),
        POLICY
            + """
            ---
            apiVersion: projectcalico.org/v3
            kind: Profile
            metadata: {name: kns.y}
            spec: {labelsToApply: {team: blue}}
            ---
            apiVersion: projectcalico.org/v3
            kind: WorkloadEndpoint
            metadata: {name: n1-k8s-a-eth0, namespace: x, labels: {app: web}}
            spec: {node: n1, pod: a, ipNetworks: [10.1.0.1/32], interfaceName: calia, ports: [{name: http, protocol: TCP, port: 8080}]}
            ---
            apiVersion: projectcalico.org/v3
            kind: WorkloadEndpoint
            metadata: {name: n1-k8s-b-eth0, namespace: y, labels: {app: db}}
            spec: {node: n1, pod: b, ipNetworks: [10.1.0.2/32], interfaceName: calib}
            """);
    Cli.Run applied = cli.run("apply", "-f", dir.resolve("store.yaml").toString());
    assertThat(applied.exitCode()).as(applied.toString()).isZero();
    Cli.Run got = cli.run("get", "netpol", "-n", "x");
    assertThat(got.out()).as(got.toString()).contains("web-from-red");
    Cli.Run yaml =
        cli.run("get", "networkpolicy.networking.k8s.io", "x/web-from-red", "-o", "yaml");
    assertThat(yaml.out())
        .as(yaml.toString())
        .startsWith("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n");
    Cli.Run r = cli.run("policy", "explain", "--from", "y/b", "--to", "x/a", "--port", "8080/TCP");
    assertThat(r.out()).as(r.toString()).startsWith("verdict: allow\n");
    Cli.Run m = cli.run("policy", "matrix", "--ports", "8081/TCP");
    assertThat(m.out()).isEqualTo("8081/TCP  x/a  y/b\nx/a       -    .\ny/b       X    -\n");
  }

  @Test
  void explainAnswersIcmpByTypeAndANamespaceNameSelectorTheManifestsLeaveOut() throws Exception {
    // the Namespace manifests carry only "team": kubernetes.io/metadata.name is implied
    Files.writeString(
        dir.resolve("icmp.yaml"),
        """
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata: {name: echo-from-x, namespace: y}
        spec:
          selector: app == 'db'
          ingress:
          - action: Allow
            protocol: ICMP
            icmp: {type: 8}
            source: {namespaceSelector: kubernetes.io/metadata.name == 'x'}
        """);
    Cli.Run echo = icmp("x/a", "y/b", "8/ICMP");
    assertThat(echo.out())
        .as(echo.toString())
        .startsWith("verdict: allow\n")
        .contains("port:    8/ICMP\n")
        .contains("ingress: allowed by NetworkPolicy y/echo-from-x spec.ingress[0]");
    assertThat(icmp("x/a", "y/b", "13/ICMP").out()).startsWith("verdict: deny\n");
    assertThat(icmp("y/c", "y/b", "8/ICMP").out()).startsWith("verdict: deny\n");
    Cli.Run type = icmp("x/a", "y/b", "300/ICMP");
    assertThat(type.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(type.err()).contains("--port \"300/ICMP\": ICMP type 300 is not 0-255");
  }

  private Cli.Run icmp(String from, String to, String port) throws Exception {
    return run(
        "policy", "explain", "-f", dir.toString(), "--from", from, "--to", to, "--port", port);
  }

  @Test
  void badInputIsNamed() throws Exception {
    Cli.Run unknown =
        run(
            "policy",
            "explain",
            "-f",
            dir.toString(),
            "--from",
            "q/z",
            "--to",
            "x/a",
            "--port",
            "80");
    assertThat(unknown.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(unknown.err())
        .contains("--from \"q/z\" is neither a known pod nor an IP address (pods: x/a, y/b, y/c)");
    Cli.Run port = run("policy", "matrix", "-f", dir.toString(), "--ports", "70000/TCP");
    assertThat(port.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(port.err()).contains("--ports \"70000/TCP\": port 70000 is not 1-65535");
    Files.writeString(
        dir.resolve("bad.yaml"), POLICY.replace("port: http", "port: 80\n      endPort: 70"));
    Cli.Run bad =
        new Cli(null)
            .run("policy", "matrix", "-f", dir.resolve("bad.yaml").toString(), "--ports", "80");
    assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(ExitCode.INVALID);
    assertThat(bad.err())
        .contains("spec.ingress[0].ports[0].endPort \"70\" must be at least port 80");
  }

  @Test
  void everyObjectThatCannotBeReadIsNamedNotOnlyTheFirst() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        POLICY.replace("app: web}}", "app: 1}}")
            + "---\n"
            + POLICY
                .replace("web-from-red", "second")
                .replace("port: http", "port: 80\n      endPort: 70")
            + "---\n"
            + "apiVersion: v1\nkind: Pod\nmetadata: {namespace: x}\n");
    Cli.Run r = new Cli(null).run("policy", "matrix", "-f", bad.toString(), "--ports", "80/TCP");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.INVALID);
    assertThat(r.err().lines().filter(l -> l.startsWith("error: ")).toList())
        .hasSize(3)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("document 1", "spec.podSelector.matchLabels.app", "must be a string"))
        .anySatisfy(l -> assertThat(l).contains("\"x/second\"", "endPort \"70\""))
        .anySatisfy(l -> assertThat(l).contains("document 3", "metadata.name is required"));
  }

  @Test
  void ipv6IsEvaluatedBetweenThePodsIpv6AddressesWithTheSameRules() throws Exception {
    Cli.Run r = explain("y/b", "x/a", "--ipv6");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("verdict: allow", "from:    y/b (fd00::2)", "to:      x/a (fd00::1)");
    Cli.Run literal = explain("fd00::2", "x/a");
    assertThat(literal.out()).as("the family of the address given").contains("x/a (fd00::1)");
    Cli.Run mixed = explain("10.1.0.2", "fd00::1");
    assertThat(mixed.exitCode()).isNotZero();
    assertThat(mixed.err()).contains("different IP families");
    Cli.Run m =
        run(
            "policy",
            "matrix",
            "-f",
            dir.toString(),
            "--ports",
            "8080/TCP",
            "--ipv6",
            "-o",
            "json");
    assertThat(m.exitCode()).as(m.toString()).isZero();
    assertThat(m.out())
        .as("y/c has no IPv6 address: left out")
        .contains("\"from\" : \"y/b\"")
        .doesNotContain("y/c");
    assertThat(m.err())
        .as("a pod left out is named, not silently dropped")
        .endsWith(
            "note: 1 pod has no IPv6 address and is left out: y/c (the IPv4 table, without"
                + " --ipv6, shows it)\n");
  }

  @Test
  void matrixOfIpv6OnlyPodsSaysWhyTheIpv4TableIsEmpty() throws Exception {
    // An IPv6-only cluster's pods: the default (IPv4) table has no rows, which must not pass for
    // "nothing to show".
    Path v6 = Files.createDirectory(dir.resolve("v6"));
    Files.writeString(
        v6.resolve("pods.yaml"),
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: a, namespace: x}
        status: {podIPs: [{ip: 'fd00::1'}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: b, namespace: x}
        status: {podIPs: [{ip: 'fd00::2'}]}
        """);
    Cli.Run m = run("policy", "matrix", "-f", v6.toString(), "--ports", "80/TCP");
    assertThat(m.exitCode()).as(m.toString()).isZero();
    assertThat(m.out()).isEqualTo("80/TCP\n");
    assertThat(m.err())
        .isEqualTo(
            "note: 2 pods have no IPv4 address and are left out: x/a, x/b (--ipv6 tabulates"
                + " IPv6)\n");
    Cli.Run six = run("policy", "matrix", "-f", v6.toString(), "--ports", "80/TCP", "--ipv6");
    assertThat(six.out()).isEqualTo("80/TCP  x/a  x/b\nx/a     -    .\nx/b     .    -\n");
    assertThat(six.err()).isEmpty();

    Cli.Run explain =
        run(
            "policy",
            "explain",
            "-f",
            v6.toString(),
            "--from",
            "x/a",
            "--to",
            "x/b",
            "--port",
            "80");
    assertThat(explain.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(explain.err())
        .isEqualTo(
            "error: --from \"x/a\" has no IPv4 address (--ipv6 explains its IPv6 address)\n");
  }
}
