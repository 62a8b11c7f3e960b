package dev.netctl.agent.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Policy cases modelled on the upstream Kubernetes network-policy e2e suite (namespaces x, y, z;
 * pods a, b, c; servers on 80 and 81, TCP and UDP), plus Calico tiers, Deny, Pass, Log and fail
 * closed. Each case is the whole set of policies in force.
 */
final class PolicyCases {
  private PolicyCases() {}

  /** The pods in matrix order: a matrix's rows are sources, its columns destinations. */
  static final List<String> PODS =
      List.of("x/a", "x/b", "x/c", "y/a", "y/b", "y/c", "z/a", "z/b", "z/c");

  /**
   * One case.
   *
   * @param name what it shows
   * @param yaml the policies
   * @param expected the truth table pinned by hand from Kubernetes/Calico semantics, not from the
   *     evaluator: per port ({@code 80/TCP}; {@code *} for every port not named) a 9×9 matrix over
   *     {@link #PODS}, one row per line, {@code .} allowed, {@code X} denied, {@code -} the pod
   *     itself (not probed); spaces are for the eye
   */
  record Case(String name, String yaml, Map<String, String> expected) {
    Case {
      for (var e : expected.entrySet()) {
        String[] rows = rows(e.getValue());
        for (int i = 0; i < PODS.size(); i++) {
          if (rows.length != PODS.size()
              || rows[i].length() != PODS.size()
              || rows[i].charAt(i) != '-'
              || !rows[i].matches("[.X-]+")) {
            throw new IllegalArgumentException(name + " " + e.getKey() + ": not a 9x9 matrix");
          }
        }
      }
    }

    /** The pinned verdict for traffic from {@code from} to {@code to} on {@code port}. */
    boolean allows(String from, String to, String port) {
      String m = expected.getOrDefault(port, expected.get("*"));
      if (m == null) throw new IllegalArgumentException(name + ": nothing pinned for " + port);
      return rows(m)[PODS.indexOf(from)].charAt(PODS.indexOf(to)) == '.';
    }

    private static String[] rows(String m) {
      return m.replace(" ", "").strip().split("\n");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** The same pinned matrix on every port. */
  static Map<String, String> every(String matrix) {
    return Map.of("*", matrix);
  }

  /** Pinned matrices per port: {@code port, matrix, port, matrix...}; port {@code *}: the rest. */
  static Map<String, String> per(String... portMatrix) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < portMatrix.length; i += 2) m.put(portMatrix[i], portMatrix[i + 1]);
    return m;
  }

  static String knp(String ns, String name, String spec) {
    return """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: %s, namespace: %s}
        spec:
        %s
        ---
        """
        .formatted(name, ns, spec.indent(2));
  }

  static String calico(String kind, String ns, String name, String spec) {
    return """
        apiVersion: projectcalico.org/v3
        kind: %s
        metadata: {name: %s%s}
        spec:
        %s
        ---
        """
        .formatted(kind, name, ns == null ? "" : ", namespace: " + ns, spec.indent(2));
  }

  static List<Case> all() {
    List<Case> c = new ArrayList<>();
    c.add(new Case("no policy: everything reachable", "", every(OPEN)));
    c.add(new Case("default deny ingress in x", knp("x", "deny", "podSelector: {}"), every(X_IN)));
    c.add(
        new Case(
            "default deny egress in x",
            knp("x", "deny", "podSelector: {}\npolicyTypes: [Egress]"),
            every(X_OUT)));
    c.add(
        new Case(
            "deny all ingress and egress in x",
            knp("x", "deny", "podSelector: {}\npolicyTypes: [Ingress, Egress]"),
            every(X_BOTH)));
    c.add(
        new Case(
            "deny all plus allow-all {} rule: unioned, allowed",
            knp("x", "deny", "podSelector: {}")
                + knp("x", "allow", "podSelector: {}\ningress:\n- {}"),
            every(OPEN)));
    c.add(
        new Case(
            "allow x/a from namespace y only",
            knp(
                "x",
                "from-y",
                "podSelector: {matchLabels: {pod: a}}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: y}}"),
            every(XA_FROM_Y)));
    c.add(
        new Case(
            "a policy updated live (same name, now from z)",
            knp(
                "x",
                "from-y",
                "podSelector: {matchLabels: {pod: a}}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: z}}"),
            every(XA_FROM_Z)));
    c.add(
        new Case(
            "namespaceSelector AND podSelector in one peer",
            knp(
                "x",
                "and",
                "podSelector: {matchLabels: {pod: a}}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: y}}\n    podSelector: {matchLabels: {pod: b}}"),
            every(XA_FROM_YB)));
    c.add(
        new Case(
            "namespaceSelector OR podSelector as two peers",
            knp(
                "x",
                "or",
                "podSelector: {matchLabels: {pod: a}}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: y}}\n  - podSelector: {matchLabels: {pod: b}}"),
            every(XA_FROM_Y_OR_XB)));
    c.add(
        new Case(
            "podSelector alone means the policy's namespace",
            knp(
                "x",
                "own-ns",
                "podSelector: {matchLabels: {pod: a}}\ningress:\n- from:\n  - podSelector: {matchLabels: {pod: b}}"),
            every(XA_FROM_XB)));
    c.add(
        new Case(
            "namespaceSelector {} means every namespace",
            knp(
                "x",
                "all-ns",
                "podSelector: {matchLabels: {pod: a}}\ningress:\n- from:\n  - namespaceSelector: {}\n    podSelector: {matchLabels: {pod: c}}"),
            every(XA_FROM_C)));
    c.add(
        new Case(
            "ingress on port 80 only, protocol defaults to TCP",
            knp(
                "x",
                "p80",
                "podSelector: {matchLabels: {pod: a}}\ningress:\n- ports:\n  - port: 80"),
            per("80/TCP", OPEN, "*", XA_IN)));
    c.add(
        new Case(
            "named port resolves on the destination pod",
            knp(
                "x",
                "named",
                "podSelector: {}\ningress:\n- ports:\n  - port: serve-81-udp\n    protocol: UDP"),
            per("81/UDP", OPEN, "*", X_IN)));
    c.add(
        new Case(
            "endPort range 80-81 from y",
            knp(
                "x",
                "range",
                "podSelector: {}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: y}}\n  ports:\n  - port: 80\n    endPort: 81"),
            per("80/TCP", X_FROM_Y, "81/TCP", X_FROM_Y, "*", X_IN)));
    c.add(
        new Case(
            "endPort range 81-90 leaves 80 out",
            knp(
                "y",
                "range",
                "podSelector: {}\ningress:\n- ports:\n  - port: 81\n    endPort: 90\n    protocol: UDP"),
            per("81/UDP", OPEN, "*", Y_IN)));
    c.add(
        new Case(
            "egress to one port only",
            knp(
                "x",
                "egress-80",
                "podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Egress]\negress:\n- ports:\n  - port: 80\n    protocol: TCP"),
            per("80/TCP", OPEN, "*", XA_OUT)));
    c.add(
        new Case(
            "policyTypes defaulting: egress rules make Egress isolated",
            knp(
                "y",
                "eg",
                "podSelector: {matchLabels: {pod: b}}\negress:\n- to:\n  - namespaceSelector: {matchLabels: {ns: z}}"),
            every(YB_IN_OUT_TO_Z)));
    c.add(
        new Case(
            "policyTypes [Ingress] ignores egress rules",
            knp(
                "y",
                "ingress-only",
                "podSelector: {matchLabels: {pod: b}}\npolicyTypes: [Ingress]\ningress:\n- {}\negress:\n- to:\n  - namespaceSelector: {matchLabels: {ns: z}}"),
            every(OPEN)));
    c.add(
        new Case(
            "two policies unioned",
            knp(
                    "x",
                    "one",
                    "podSelector: {matchLabels: {pod: a}}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: y}}\n    podSelector: {matchLabels: {pod: b}}\n  ports:\n  - port: 80")
                + knp(
                    "x",
                    "two",
                    "podSelector: {matchLabels: {pod: a}}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: z}}\n  ports:\n  - port: 81\n    protocol: UDP"),
            per("80/TCP", XA_FROM_YB, "81/UDP", XA_FROM_Z, "*", XA_IN)));
    c.add(
        new Case(
            "deny all, then allow one port",
            knp("z", "deny", "podSelector: {}\npolicyTypes: [Ingress, Egress]")
                + knp(
                    "z",
                    "allow-81",
                    "podSelector: {}\npolicyTypes: [Ingress, Egress]\ningress:\n- ports:\n  - port: 81\negress:\n- ports:\n  - port: 81"),
            per("81/TCP", OPEN, "*", Z_BOTH)));
    c.add(
        new Case(
            "ipBlock with except",
            knp(
                "x",
                "block",
                "podSelector: {matchLabels: {pod: b}}\ningress:\n- from:\n  - ipBlock: {cidr: 10.77.0.0/24, except: [10.77.0.5/32, 10.77.0.8/30]}"),
            every(XB_FROM_BLOCK)));
    c.add(
        new Case(
            "egress ipBlock",
            knp(
                "y",
                "eg-block",
                "podSelector: {matchLabels: {pod: c}}\npolicyTypes: [Egress]\negress:\n- to:\n  - ipBlock: {cidr: 10.77.0.0/29}"),
            every(YC_TO_BLOCK)));
    c.add(
        new Case(
            "Calico Deny at order 10 beats a Kubernetes allow (order 1000)",
            calico(
                    "GlobalNetworkPolicy",
                    null,
                    "deny-z-to-x",
                    "order: 10\nselector: projectcalico.org/namespace == 'x'\ningress:\n- action: Deny\n  source:\n    namespaceSelector: ns == 'z'")
                + knp("x", "allow", "podSelector: {}\ningress:\n- {}"),
            every(X_NOT_FROM_Z)));
    c.add(
        new Case(
            "Pass in a higher tier hands over to the default tier",
            """
            apiVersion: projectcalico.org/v3
            kind: Tier
            metadata: {name: security}
            spec: {order: 100}
            ---
            """
                + calico(
                    "GlobalNetworkPolicy",
                    null,
                    "security.x",
                    "tier: security\nselector: projectcalico.org/namespace == 'x'\ningress:\n- action: Pass\n  source:\n    namespaceSelector: ns == 'y'\n- action: Deny")
                + knp(
                    "x",
                    "from-a",
                    "podSelector: {}\ningress:\n- from:\n  - namespaceSelector: {}\n    podSelector: {matchLabels: {pod: a}}"),
            every(X_FROM_YA)));
    c.add(
        new Case(
            "Calico rules in order: Allow 80 from a, then Deny",
            calico(
                "NetworkPolicy",
                "y",
                "ordered",
                "selector: all()\ningress:\n- action: Allow\n  protocol: TCP\n  source: {selector: pod == 'a', namespaceSelector: all()}\n  destination: {ports: [80]}\n- action: Deny"),
            per("80/TCP", Y_FROM_A, "*", Y_IN)));
    c.add(
        new Case(
            "Log goes on; notProtocol UDP allowed everything else",
            calico(
                "NetworkPolicy",
                "z",
                "log",
                "selector: pod == 'b'\ningress:\n- action: Log\n- action: Allow\n  notProtocol: UDP"),
            per("80/TCP", OPEN, "81/TCP", OPEN, "*", ZB_IN)));
    c.add(
        new Case(
            "Calico ports range, notPorts and notSelector",
            calico(
                "NetworkPolicy",
                "x",
                "ranges",
                "selector: pod in {'a', 'c'}\ningress:\n- action: Allow\n  protocol: TCP\n  source: {notSelector: pod == 'c', namespaceSelector: all()}\n  destination: {ports: ['79:81'], notPorts: [81]}"),
            per("80/TCP", XA_XC_FROM_NOT_C, "*", XA_XC_IN)));
    c.add(
        new Case(
            "egress to a named port",
            knp(
                "z",
                "eg-named",
                "podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Egress]\negress:\n- ports:\n  - port: serve-81-tcp"),
            per("81/TCP", OPEN, "*", ZA_OUT)));
    c.add(
        new Case(
            "GlobalNetworkPolicy with a namespaceSelector",
            calico(
                "GlobalNetworkPolicy",
                null,
                "ns-y-z",
                "namespaceSelector: ns in {'y', 'z'}\nselector: pod == 'c'\ntypes: [Egress]\negress:\n- action: Allow\n  protocol: UDP"),
            per("80/UDP", OPEN, "81/UDP", OPEN, "*", YC_ZC_OUT)));
    c.add(
        new Case(
            "namespaceSelector on kubernetes.io/metadata.name, a label no namespace was given",
            knp(
                "x",
                "by-name",
                "podSelector: {}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: z}}"),
            every(X_FROM_Z)));
    c.add(
        new Case(
            "a policy that cannot be rendered fails closed",
            calico(
                "NetworkPolicy",
                "y",
                "no-protocol",
                "selector: pod == 'a'\ningress:\n- action: Allow\n  destination: {ports: [serve-80-tcp]}"),
            every(YA_IN)));
    return c;
  }

  /**
   * Cases probed over IPv6 on dual-stack pods ({@code fd77::2} … {@code fd77::10} in creation order
   * x/a, x/b, x/c, y/a, …): the same rules, rendered per family.
   */
  static List<Case> ipv6() {
    List<Case> c = new ArrayList<>();
    c.add(
        new Case(
            "IPv6: default deny ingress in x", knp("x", "deny", "podSelector: {}"), every(X_IN)));
    c.add(
        new Case(
            "IPv6: allow from namespace y (a set per family)",
            knp(
                "x",
                "from-y",
                "podSelector: {}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: y}}"),
            every(X_FROM_Y)));
    c.add(
        new Case(
            "IPv6: ipBlock with except, egress",
            knp(
                "y",
                "eg-block",
                "podSelector: {}\npolicyTypes: [Egress]\negress:\n- to:\n  - ipBlock: {cidr: 'fd77::/120', except: ['fd77::4/126']}"),
            every(Y_TO_BLOCK_EXCEPT)));
    c.add(
        new Case(
            "IPv6: an IPv4 ipBlock isolates IPv6 traffic",
            knp(
                "y",
                "v4-only",
                "podSelector: {}\ningress:\n- from:\n  - ipBlock: {cidr: 10.77.0.0/24}"),
            every(Y_IN)));
    c.add(
        new Case(
            "IPv6: named port",
            knp("z", "named", "podSelector: {}\ningress:\n- ports:\n  - port: serve-80-tcp"),
            per("80/TCP", OPEN, "*", Z_IN)));
    c.add(
        new Case(
            "IPv6: Calico notNets of IPv4 only lets IPv6 through",
            calico(
                "GlobalNetworkPolicy",
                null,
                "not-v4",
                "selector: pod == 'a'\ningress:\n- action: Allow\n  source: {notNets: [10.77.0.0/24]}"),
            every(OPEN)));
    return c;
  }

  /**
   * ICMP by type with real echo requests ({@code ping}): probe ports {@code 80/TCP} and {@code
   * 8/ICMP} over IPv4.
   */
  static Case icmp() {
    return new Case(
        "ICMP echo allowed by type in x, not by another type in y",
        calico(
                "NetworkPolicy",
                "x",
                "echo",
                "selector: all()\ningress:\n- action: Allow\n  protocol: ICMP\n  icmp: {type: 8}")
            + calico(
                "NetworkPolicy",
                "y",
                "timestamp",
                "selector: all()\ningress:\n- action: Allow\n  protocol: ICMP\n  icmp: {type: 13, code: 0}"),
        per("8/ICMP", Y_IN, "*", XY_IN));
  }

  /**
   * ICMPv6 by type with {@code ping -6}, probe ports {@code 80/TCP} and {@code 128/ICMPv6}: x
   * allows echo requests both ways and nothing else (egress isolated too, so neighbour discovery to
   * the node must not depend on policy); y allows only echo replies as new traffic (requests
   * denied); z denies echo requests before allowing everything.
   */
  static Case icmpv6() {
    return new Case(
        "ICMPv6 echo allowed by type in x (both ways), other type in y, denied by type in z",
        calico(
                "NetworkPolicy",
                "x",
                "echo6",
                "selector: all()\ntypes: [Ingress, Egress]\ningress:\n- action: Allow\n  protocol: ICMPv6\n  icmp: {type: 128}\negress:\n- action: Allow\n  protocol: ICMPv6\n  icmp: {type: 128, code: 0}")
            + calico(
                "NetworkPolicy",
                "y",
                "reply6",
                "selector: all()\ningress:\n- action: Allow\n  protocol: ICMPv6\n  icmp: {type: 129}")
            + calico(
                "NetworkPolicy",
                "z",
                "no-echo6",
                "selector: all()\ningress:\n- action: Deny\n  protocol: ICMPv6\n  icmp: {type: 128}\n- action: Allow"),
        per("128/ICMPv6", ECHO6, "*", TCP_UNDER_ECHO6));
  }

  // ------------------------------------------------------------ pinned truth tables
  // Worked out by hand from the semantics (rows: sources x/a..z/c, columns: destinations), in
  // the order of PODS; pod IPs 10.77.0.2 (x/a) .. 10.77.0.10 (z/c), fd77::2 .. fd77::10.

  static final String OPEN =
      """
      -.. ... ...
      .-. ... ...
      ..- ... ...
      ... -.. ...
      ... .-. ...
      ... ..- ...
      ... ... -..
      ... ... .-.
      ... ... ..-
      """;

  static final String X_IN =
      """
      -XX ... ...
      X-X ... ...
      XX- ... ...
      XXX -.. ...
      XXX .-. ...
      XXX ..- ...
      XXX ... -..
      XXX ... .-.
      XXX ... ..-
      """;

  static final String X_OUT =
      """
      -XX XXX XXX
      X-X XXX XXX
      XX- XXX XXX
      ... -.. ...
      ... .-. ...
      ... ..- ...
      ... ... -..
      ... ... .-.
      ... ... ..-
      """;

  static final String X_BOTH =
      """
      -XX XXX XXX
      X-X XXX XXX
      XX- XXX XXX
      XXX -.. ...
      XXX .-. ...
      XXX ..- ...
      XXX ... -..
      XXX ... .-.
      XXX ... ..-
      """;

  static final String XA_FROM_Y =
      """
      -.. ... ...
      X-. ... ...
      X.- ... ...
      ... -.. ...
      ... .-. ...
      ... ..- ...
      X.. ... -..
      X.. ... .-.
      X.. ... ..-
      """;

  static final String XA_FROM_Z =
      """
      -.. ... ...
      X-. ... ...
      X.- ... ...
      X.. -.. ...
      X.. .-. ...
      X.. ..- ...
      ... ... -..
      ... ... .-.
      ... ... ..-
      """;

  static final String XA_FROM_YB =
      """
      -.. ... ...
      X-. ... ...
      X.- ... ...
      X.. -.. ...
      ... .-. ...
      X.. ..- ...
      X.. ... -..
      X.. ... .-.
      X.. ... ..-
      """;

  static final String XA_FROM_Y_OR_XB =
      """
      -.. ... ...
      .-. ... ...
      X.- ... ...
      ... -.. ...
      ... .-. ...
      ... ..- ...
      X.. ... -..
      X.. ... .-.
      X.. ... ..-
      """;

  static final String XA_FROM_XB =
      """
      -.. ... ...
      .-. ... ...
      X.- ... ...
      X.. -.. ...
      X.. .-. ...
      X.. ..- ...
      X.. ... -..
      X.. ... .-.
      X.. ... ..-
      """;

  static final String XA_FROM_C =
      """
      -.. ... ...
      X-. ... ...
      ..- ... ...
      X.. -.. ...
      X.. .-. ...
      ... ..- ...
      X.. ... -..
      X.. ... .-.
      ... ... ..-
      """;

  static final String XA_IN =
      """
      -.. ... ...
      X-. ... ...
      X.- ... ...
      X.. -.. ...
      X.. .-. ...
      X.. ..- ...
      X.. ... -..
      X.. ... .-.
      X.. ... ..-
      """;

  static final String X_FROM_Y =
      """
      -XX ... ...
      X-X ... ...
      XX- ... ...
      ... -.. ...
      ... .-. ...
      ... ..- ...
      XXX ... -..
      XXX ... .-.
      XXX ... ..-
      """;

  static final String X_FROM_Z =
      """
      -XX ... ...
      X-X ... ...
      XX- ... ...
      XXX -.. ...
      XXX .-. ...
      XXX ..- ...
      ... ... -..
      ... ... .-.
      ... ... ..-
      """;

  static final String X_FROM_Y_Z =
      """
      -XX ... ...
      X-X ... ...
      XX- ... ...
      ... -.. ...
      ... .-. ...
      ... ..- ...
      ... ... -..
      ... ... .-.
      ... ... ..-
      """;

  static final String Y_IN =
      """
      -.. XXX ...
      .-. XXX ...
      ..- XXX ...
      ... -XX ...
      ... X-X ...
      ... XX- ...
      ... XXX -..
      ... XXX .-.
      ... XXX ..-
      """;

  static final String XA_OUT =
      """
      -XX XXX XXX
      .-. ... ...
      ..- ... ...
      ... -.. ...
      ... .-. ...
      ... ..- ...
      ... ... -..
      ... ... .-.
      ... ... ..-
      """;

  static final String YB_IN_OUT_TO_Z =
      """
      -.. .X. ...
      .-. .X. ...
      ..- .X. ...
      ... -X. ...
      XXX X-X ...
      ... .X- ...
      ... .X. -..
      ... .X. .-.
      ... .X. ..-
      """;

  static final String Z_BOTH =
      """
      -.. ... XXX
      .-. ... XXX
      ..- ... XXX
      ... -.. XXX
      ... .-. XXX
      ... ..- XXX
      XXX XXX -XX
      XXX XXX X-X
      XXX XXX XX-
      """;

  static final String XB_FROM_BLOCK =
      """
      -.. ... ...
      .-. ... ...
      ..- ... ...
      .X. -.. ...
      ... .-. ...
      ... ..- ...
      .X. ... -..
      .X. ... .-.
      .X. ... ..-
      """;

  static final String YC_TO_BLOCK =
      """
      -.. ... ...
      .-. ... ...
      ..- ... ...
      ... -.. ...
      ... .-. ...
      ... ..- XXX
      ... ... -..
      ... ... .-.
      ... ... ..-
      """;

  static final String X_NOT_FROM_Z =
      """
      -.. ... ...
      .-. ... ...
      ..- ... ...
      ... -.. ...
      ... .-. ...
      ... ..- ...
      XXX ... -..
      XXX ... .-.
      XXX ... ..-
      """;

  static final String X_FROM_YA =
      """
      -XX ... ...
      X-X ... ...
      XX- ... ...
      ... -.. ...
      XXX .-. ...
      XXX ..- ...
      XXX ... -..
      XXX ... .-.
      XXX ... ..-
      """;

  static final String Y_FROM_A =
      """
      -.. ... ...
      .-. XXX ...
      ..- XXX ...
      ... -.. ...
      ... X-X ...
      ... XX- ...
      ... ... -..
      ... XXX .-.
      ... XXX ..-
      """;

  static final String ZB_IN =
      """
      -.. ... .X.
      .-. ... .X.
      ..- ... .X.
      ... -.. .X.
      ... .-. .X.
      ... ..- .X.
      ... ... -X.
      ... ... .-.
      ... ... .X-
      """;

  static final String XA_XC_FROM_NOT_C =
      """
      -.. ... ...
      .-. ... ...
      X.- ... ...
      ... -.. ...
      ... .-. ...
      X.X ..- ...
      ... ... -..
      ... ... .-.
      X.X ... ..-
      """;

  static final String XA_XC_IN =
      """
      -.X ... ...
      X-X ... ...
      X.- ... ...
      X.X -.. ...
      X.X .-. ...
      X.X ..- ...
      X.X ... -..
      X.X ... .-.
      X.X ... ..-
      """;

  static final String ZA_OUT =
      """
      -.. ... ...
      .-. ... ...
      ..- ... ...
      ... -.. ...
      ... .-. ...
      ... ..- ...
      XXX XXX -XX
      ... ... .-.
      ... ... ..-
      """;

  static final String YC_ZC_OUT =
      """
      -.. ... ...
      .-. ... ...
      ..- ... ...
      ... -.. ...
      ... .-. ...
      XXX XX- XXX
      ... ... -..
      ... ... .-.
      XXX XXX XX-
      """;

  static final String YA_IN =
      """
      -.. X.. ...
      .-. X.. ...
      ..- X.. ...
      ... -.. ...
      ... X-. ...
      ... X.- ...
      ... X.. -..
      ... X.. .-.
      ... X.. ..-
      """;

  static final String Y_TO_BLOCK_EXCEPT =
      """
      -.. ... ...
      .-. ... ...
      ..- ... ...
      ..X -XX ...
      ..X X-X ...
      ..X XX- ...
      ... ... -..
      ... ... .-.
      ... ... ..-
      """;

  static final String Z_IN =
      """
      -.. ... XXX
      .-. ... XXX
      ..- ... XXX
      ... -.. XXX
      ... .-. XXX
      ... ..- XXX
      ... ... -XX
      ... ... X-X
      ... ... XX-
      """;

  static final String XY_IN =
      """
      -XX XXX ...
      X-X XXX ...
      XX- XXX ...
      XXX -XX ...
      XXX X-X ...
      XXX XX- ...
      XXX XXX -..
      XXX XXX .-.
      XXX XXX ..-
      """;

  static final String ECHO6 =
      """
      -.. XXX XXX
      .-. XXX XXX
      ..- XXX XXX
      ... -XX XXX
      ... X-X XXX
      ... XX- XXX
      ... XXX -XX
      ... XXX X-X
      ... XXX XX-
      """;

  static final String TCP_UNDER_ECHO6 =
      """
      -XX XXX XXX
      X-X XXX XXX
      XX- XXX XXX
      XXX -XX ...
      XXX X-X ...
      XXX XX- ...
      XXX XXX -..
      XXX XXX .-.
      XXX XXX ..-
      """;
}
