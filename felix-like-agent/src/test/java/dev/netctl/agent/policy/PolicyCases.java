package dev.netctl.agent.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Policy cases modelled on the upstream Kubernetes network-policy e2e suite (namespaces x, y, z;
 * pods a, b, c; servers on 80 and 81, TCP and UDP), plus Calico tiers, Deny, Pass, Log and fail
 * closed. Each case is the whole set of policies in force.
 */
final class PolicyCases {
  private PolicyCases() {}

  /**
   * One case.
   *
   * @param name what it shows
   * @param yaml the policies
   * @param opens true when the case is expected to deny nothing
   */
  record Case(String name, String yaml, boolean opens) {
    @Override
    public String toString() {
      return name;
    }
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
    c.add(new Case("no policy: everything reachable", "", true));
    c.add(new Case("default deny ingress in x", knp("x", "deny", "podSelector: {}"), false));
    c.add(
        new Case(
            "default deny egress in x",
            knp("x", "deny", "podSelector: {}\npolicyTypes: [Egress]"),
            false));
    c.add(
        new Case(
            "deny all ingress and egress in x",
            knp("x", "deny", "podSelector: {}\npolicyTypes: [Ingress, Egress]"),
            false));
    c.add(
        new Case(
            "deny all plus allow-all {} rule: unioned, allowed",
            knp("x", "deny", "podSelector: {}")
                + knp("x", "allow", "podSelector: {}\ningress:\n- {}"),
            true));
    c.add(
        new Case(
            "allow x/a from namespace y only",
            knp(
                "x",
                "from-y",
                "podSelector: {matchLabels: {pod: a}}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: y}}"),
            false));
    c.add(
        new Case(
            "a policy updated live (same name, now from z)",
            knp(
                "x",
                "from-y",
                "podSelector: {matchLabels: {pod: a}}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: z}}"),
            false));
    c.add(
        new Case(
            "namespaceSelector AND podSelector in one peer",
            knp(
                "x",
                "and",
                "podSelector: {matchLabels: {pod: a}}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: y}}\n    podSelector: {matchLabels: {pod: b}}"),
            false));
    c.add(
        new Case(
            "namespaceSelector OR podSelector as two peers",
            knp(
                "x",
                "or",
                "podSelector: {matchLabels: {pod: a}}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: y}}\n  - podSelector: {matchLabels: {pod: b}}"),
            false));
    c.add(
        new Case(
            "podSelector alone means the policy's namespace",
            knp(
                "x",
                "own-ns",
                "podSelector: {matchLabels: {pod: a}}\ningress:\n- from:\n  - podSelector: {matchLabels: {pod: b}}"),
            false));
    c.add(
        new Case(
            "namespaceSelector {} means every namespace",
            knp(
                "x",
                "all-ns",
                "podSelector: {matchLabels: {pod: a}}\ningress:\n- from:\n  - namespaceSelector: {}\n    podSelector: {matchLabels: {pod: c}}"),
            false));
    c.add(
        new Case(
            "ingress on port 80 only, protocol defaults to TCP",
            knp(
                "x",
                "p80",
                "podSelector: {matchLabels: {pod: a}}\ningress:\n- ports:\n  - port: 80"),
            false));
    c.add(
        new Case(
            "named port resolves on the destination pod",
            knp(
                "x",
                "named",
                "podSelector: {}\ningress:\n- ports:\n  - port: serve-81-udp\n    protocol: UDP"),
            false));
    c.add(
        new Case(
            "endPort range 80-81 from y",
            knp(
                "x",
                "range",
                "podSelector: {}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: y}}\n  ports:\n  - port: 80\n    endPort: 81"),
            false));
    c.add(
        new Case(
            "endPort range 81-90 leaves 80 out",
            knp(
                "y",
                "range",
                "podSelector: {}\ningress:\n- ports:\n  - port: 81\n    endPort: 90\n    protocol: UDP"),
            false));
    c.add(
        new Case(
            "egress to one port only",
            knp(
                "x",
                "egress-80",
                "podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Egress]\negress:\n- ports:\n  - port: 80\n    protocol: TCP"),
            false));
    c.add(
        new Case(
            "policyTypes defaulting: egress rules make Egress isolated",
            knp(
                "y",
                "eg",
                "podSelector: {matchLabels: {pod: b}}\negress:\n- to:\n  - namespaceSelector: {matchLabels: {ns: z}}"),
            false));
    c.add(
        new Case(
            "policyTypes [Ingress] ignores egress rules",
            knp(
                "y",
                "ingress-only",
                "podSelector: {matchLabels: {pod: b}}\npolicyTypes: [Ingress]\ningress:\n- {}\negress:\n- to:\n  - namespaceSelector: {matchLabels: {ns: z}}"),
            true));
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
            false));
    c.add(
        new Case(
            "deny all, then allow one port",
            knp("z", "deny", "podSelector: {}\npolicyTypes: [Ingress, Egress]")
                + knp(
                    "z",
                    "allow-81",
                    "podSelector: {}\npolicyTypes: [Ingress, Egress]\ningress:\n- ports:\n  - port: 81\negress:\n- ports:\n  - port: 81"),
            false));
    c.add(
        new Case(
            "ipBlock with except",
            knp(
                "x",
                "block",
                "podSelector: {matchLabels: {pod: b}}\ningress:\n- from:\n  - ipBlock: {cidr: 10.77.0.0/24, except: [10.77.0.5/32, 10.77.0.8/30]}"),
            false));
    c.add(
        new Case(
            "egress ipBlock",
            knp(
                "y",
                "eg-block",
                "podSelector: {matchLabels: {pod: c}}\npolicyTypes: [Egress]\negress:\n- to:\n  - ipBlock: {cidr: 10.77.0.0/29}"),
            false));
    c.add(
        new Case(
            "Calico Deny at order 10 beats a Kubernetes allow (order 1000)",
            calico(
                    "GlobalNetworkPolicy",
                    null,
                    "deny-z-to-x",
                    "order: 10\nselector: projectcalico.org/namespace == 'x'\ningress:\n- action: Deny\n  source:\n    namespaceSelector: ns == 'z'")
                + knp("x", "allow", "podSelector: {}\ningress:\n- {}"),
            false));
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
            false));
    c.add(
        new Case(
            "Calico rules in order: Allow 80 from a, then Deny",
            calico(
                "NetworkPolicy",
                "y",
                "ordered",
                "selector: all()\ningress:\n- action: Allow\n  protocol: TCP\n  source: {selector: pod == 'a', namespaceSelector: all()}\n  destination: {ports: [80]}\n- action: Deny"),
            false));
    c.add(
        new Case(
            "Log goes on; notProtocol UDP allowed everything else",
            calico(
                "NetworkPolicy",
                "z",
                "log",
                "selector: pod == 'b'\ningress:\n- action: Log\n- action: Allow\n  notProtocol: UDP"),
            false));
    c.add(
        new Case(
            "Calico ports range, notPorts and notSelector",
            calico(
                "NetworkPolicy",
                "x",
                "ranges",
                "selector: pod in {'a', 'c'}\ningress:\n- action: Allow\n  protocol: TCP\n  source: {notSelector: pod == 'c', namespaceSelector: all()}\n  destination: {ports: ['79:81'], notPorts: [81]}"),
            false));
    c.add(
        new Case(
            "egress to a named port",
            knp(
                "z",
                "eg-named",
                "podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Egress]\negress:\n- ports:\n  - port: serve-81-tcp"),
            false));
    c.add(
        new Case(
            "GlobalNetworkPolicy with a namespaceSelector",
            calico(
                "GlobalNetworkPolicy",
                null,
                "ns-y-z",
                "namespaceSelector: ns in {'y', 'z'}\nselector: pod == 'c'\ntypes: [Egress]\negress:\n- action: Allow\n  protocol: UDP"),
            false));
    c.add(
        new Case(
            "a policy that cannot be rendered fails closed",
            calico(
                "NetworkPolicy",
                "y",
                "no-code",
                "selector: pod == 'a'\ningress:\n- action: Allow\n  protocol: ICMP\n  notICMP: {type: 8, code: 0}"),
            false));
    return c;
  }

  /**
   * Cases probed over IPv6 on dual-stack pods ({@code fd77::2} … {@code fd77::10} in creation order
   * x/a, x/b, x/c, y/a, …): the same rules, rendered per family.
   */
  static List<Case> ipv6() {
    List<Case> c = new ArrayList<>();
    c.add(new Case("IPv6: default deny ingress in x", knp("x", "deny", "podSelector: {}"), false));
    c.add(
        new Case(
            "IPv6: allow from namespace y (a set per family)",
            knp(
                "x",
                "from-y",
                "podSelector: {}\ningress:\n- from:\n  - namespaceSelector: {matchLabels: {ns: y}}"),
            false));
    c.add(
        new Case(
            "IPv6: ipBlock with except, egress",
            knp(
                "y",
                "eg-block",
                "podSelector: {}\npolicyTypes: [Egress]\negress:\n- to:\n  - ipBlock: {cidr: 'fd77::/120', except: ['fd77::4/126']}"),
            false));
    c.add(
        new Case(
            "IPv6: an IPv4 ipBlock isolates IPv6 traffic",
            knp(
                "y",
                "v4-only",
                "podSelector: {}\ningress:\n- from:\n  - ipBlock: {cidr: 10.77.0.0/24}"),
            false));
    c.add(
        new Case(
            "IPv6: named port",
            knp("z", "named", "podSelector: {}\ningress:\n- ports:\n  - port: serve-80-tcp"),
            false));
    c.add(
        new Case(
            "IPv6: Calico notNets of IPv4 only lets IPv6 through",
            calico(
                "GlobalNetworkPolicy",
                null,
                "not-v4",
                "selector: pod == 'a'\ningress:\n- action: Allow\n  source: {notNets: [10.77.0.0/24]}"),
            true));
    return c;
  }
}
