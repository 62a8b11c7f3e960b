package dev.netctl.datastore.model;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The validation rules of the policy kinds, Calico's and Kubernetes'. */
final class PolicyValidation {

  static final Set<String> ACTIONS = Set.of("Allow", "Deny", "Pass", "Log");
  static final Set<String> TYPES = Set.of("Ingress", "Egress");
  private static final Set<String> PROTOCOLS =
      Set.of("TCP", "UDP", "ICMP", "ICMPV6", "SCTP", "UDPLITE");
  private static final Set<String> PORT_PROTOCOLS = Set.of("TCP", "UDP", "SCTP", "6", "17", "132");
  private static final Set<String> K8S_PROTOCOLS = Set.of("TCP", "UDP", "SCTP");
  private static final Pattern RANGE = Pattern.compile("([0-9]{1,9}):([0-9]{1,9})");
  private static final Pattern NUMBER = Pattern.compile("[0-9]{1,9}");
  // IANA service names as Kubernetes accepts them for container ports
  private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?");

  private PolicyValidation() {}

  // ------------------------------------------------------------------ Calico

  static void calico(ViolationCollector c, NetworkPolicySpec s, boolean global) {
    if (s.tier() != null && !s.tier().isEmpty()) dnsLabel(c, "spec.tier", s.tier());
    if (s.order() != null && !Double.isFinite(s.order())) {
      c.add("spec.order", s.order(), "must be a finite number");
    }
    if (s.selector() != null) c.selector("spec.selector", s.selector());
    if (s.namespaceSelector() != null) {
      if (global) c.selector("spec.namespaceSelector", s.namespaceSelector());
      else
        c.add("spec.namespaceSelector", s.namespaceSelector(), "is for GlobalNetworkPolicy only");
    }
    if (s.serviceAccountSelector() != null) {
      c.selector("spec.serviceAccountSelector", s.serviceAccountSelector());
    }
    types(c, "spec.types", s.types());
    rules(c, "spec.ingress", s.ingress());
    rules(c, "spec.egress", s.egress());
  }

  private static void types(ViolationCollector c, String field, List<String> types) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < types.size(); i++) {
      String t = types.get(i);
      if (!TYPES.contains(t)) c.add(field + "[" + i + "]", t, "must be Ingress or Egress");
      else if (!seen.add(t)) c.add(field + "[" + i + "]", t, "is listed twice");
    }
  }

  private static void rules(ViolationCollector c, String field, List<PolicyRule> rules) {
    for (int i = 0; i < rules.size(); i++) rule(c, field + "[" + i + "]", rules.get(i));
  }

  private static void rule(ViolationCollector c, String f, PolicyRule r) {
    if (r.action() == null) c.add(f + ".action", null, "is required: Allow, Deny, Pass or Log");
    else if (!ACTIONS.contains(r.action())) {
      c.add(f + ".action", r.action(), "must be Allow, Deny, Pass or Log");
    }
    protocol(c, f + ".protocol", r.protocol());
    protocol(c, f + ".notProtocol", r.notProtocol());
    ipVersion(c, f, r);
    icmp(c, f + ".icmp", r.icmp(), r.protocol());
    icmp(c, f + ".notICMP", r.notICMP(), r.protocol());
    entity(c, f + ".source", r.source(), r.protocol());
    entity(c, f + ".destination", r.destination(), r.protocol());
  }

  private static void protocol(ViolationCollector c, String field, String p) {
    if (p == null) return;
    if (NUMBER.matcher(p).matches()) {
      int n = Integer.parseInt(p);
      if (n < 1 || n > 255) c.add(field, p, "must be a protocol number 1-255");
    } else if (!PROTOCOLS.contains(p.toUpperCase(Locale.ROOT))) {
      c.add(field, p, "must be TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number 1-255");
    }
  }

  /**
   * Calico's checks of a rule's {@code ipVersion}: 4 or 6, no net of the other family (the rule
   * could never match it, which is surely not what was meant), and no ICMP protocol of the other
   * family. Without {@code ipVersion} the nets must still be of one family: {@link
   * #oneFamilyPerRule}, a rule of writes only.
   */
  private static void ipVersion(ViolationCollector c, String f, PolicyRule r) {
    Integer v = r.ipVersion();
    if (v == null) return;
    if (v != 4 && v != 6) {
      c.add(f + ".ipVersion", v, "must be 4 or 6");
      return;
    }
    netsOfVersion(c, f + ".source.nets", r.source().nets(), v);
    netsOfVersion(c, f + ".source.notNets", r.source().notNets(), v);
    netsOfVersion(c, f + ".destination.nets", r.destination().nets(), v);
    netsOfVersion(c, f + ".destination.notNets", r.destination().notNets(), v);
    icmpOfVersion(c, f + ".protocol", r.protocol(), v);
    icmpOfVersion(c, f + ".notProtocol", r.notProtocol(), v);
  }

  /**
   * Calico's validator (libcalico-go {@code validateRule}) refuses a rule whose nets, across source
   * and destination, nets and notNets, hold both IPv4 and IPv6 CIDRs ("rule contains both IPv4 and
   * IPv6 CIDRs"): a packet has one family, so such a rule says two things at once. The first net of
   * the second family is named, with the first of the other, so the user sees both sides.
   *
   * <p>A rule of writes only ({@link Validator#validate(Resource, Resource,
   * java.util.Collection)}): earlier netctl versions stored such rules and the renderer still
   * handles them (one variant per family), so an agent keeps programming a stored one rather than
   * leaving the whole policy out, which could open what it denied.
   */
  static void oneFamilyPerRule(ViolationCollector c, NetworkPolicySpec s) {
    for (int i = 0; i < s.ingress().size(); i++) {
      oneFamily(c, "spec.ingress[" + i + "]", s.ingress().get(i));
    }
    for (int i = 0; i < s.egress().size(); i++) {
      oneFamily(c, "spec.egress[" + i + "]", s.egress().get(i));
    }
  }

  private static void oneFamily(ViolationCollector c, String f, PolicyRule r) {
    // with ipVersion each net of the other family is already named against it
    if (r.ipVersion() != null) return;
    String[] fields = {"source.nets", "source.notNets", "destination.nets", "destination.notNets"};
    List<List<String>> lists =
        List.of(
            r.source().nets(),
            r.source().notNets(),
            r.destination().nets(),
            r.destination().notNets());
    String firstField = null;
    String firstNet = null;
    Boolean firstV4 = null;
    for (int l = 0; l < fields.length; l++) {
      List<String> nets = lists.get(l);
      for (int i = 0; i < nets.size(); i++) {
        Cidr cidr;
        try {
          cidr = Cidr.parseAddressOrCidr(nets.get(i));
        } catch (IllegalArgumentException | NullPointerException ex) {
          continue; // named by the nets check
        }
        String field = fields[l] + "[" + i + "]";
        if (firstV4 == null) {
          firstV4 = cidr.isIPv4();
          firstField = field;
          firstNet = nets.get(i);
        } else if (firstV4 != cidr.isIPv4()) {
          c.add(
              f + "." + field,
              nets.get(i),
              "is an IPv"
                  + (cidr.isIPv4() ? 4 : 6)
                  + " net but "
                  + firstField
                  + " \""
                  + firstNet
                  + "\" is IPv"
                  + (firstV4 ? 4 : 6)
                  + ": a rule's nets must be of one IP family (as Calico requires); split it into"
                  + " one rule per family");
          return;
        }
      }
    }
  }

  private static void netsOfVersion(ViolationCollector c, String f, List<String> nets, int v) {
    for (int i = 0; i < nets.size(); i++) {
      Cidr cidr;
      try {
        cidr = Cidr.parseAddressOrCidr(nets.get(i));
      } catch (IllegalArgumentException | NullPointerException ex) {
        continue; // named by the nets check
      }
      if ((cidr.isIPv4() ? 4 : 6) != v) {
        c.add(
            f + "[" + i + "]",
            nets.get(i),
            "is an IPv" + (cidr.isIPv4() ? 4 : 6) + " net but the rule has ipVersion " + v);
      }
    }
  }

  private static void icmpOfVersion(ViolationCollector c, String f, String p, int v) {
    if (p == null) return;
    String u = p.toUpperCase(Locale.ROOT);
    if ((u.equals("ICMP") || u.equals("1")) && v != 4) {
      c.add(f, p, "ICMP needs ipVersion 4 (the rule has ipVersion " + v + ")");
    } else if ((u.equals("ICMPV6") || u.equals("58")) && v != 6) {
      c.add(f, p, "ICMPv6 needs ipVersion 6 (the rule has ipVersion " + v + ")");
    }
  }

  private static void icmp(ViolationCollector c, String f, PolicyRule.Icmp icmp, String protocol) {
    if (icmp == null) return;
    String p = protocol == null ? "" : protocol.toUpperCase(Locale.ROOT);
    if (!p.equals("ICMP") && !p.equals("ICMPV6") && !p.equals("1") && !p.equals("58")) {
      c.add(f, protocol, "needs protocol ICMP or ICMPv6");
    }
    if (icmp.type() != null && (icmp.type() < 0 || icmp.type() > 254)) {
      c.add(f + ".type", icmp.type(), "must be 0-254");
    }
    if (icmp.code() != null) {
      if (icmp.type() == null) c.add(f + ".code", icmp.code(), "needs a type");
      if (icmp.code() < 0 || icmp.code() > 255) c.add(f + ".code", icmp.code(), "must be 0-255");
    }
  }

  private static void entity(ViolationCollector c, String f, PolicyRule.Entity e, String proto) {
    for (int i = 0; i < e.nets().size(); i++) net(c, f + ".nets[" + i + "]", e.nets().get(i));
    for (int i = 0; i < e.notNets().size(); i++) {
      net(c, f + ".notNets[" + i + "]", e.notNets().get(i));
    }
    if (e.selector() != null) c.selector(f + ".selector", e.selector());
    if (e.notSelector() != null) c.selector(f + ".notSelector", e.notSelector());
    if (e.namespaceSelector() != null) {
      c.ruleNamespaceSelector(f + ".namespaceSelector", e.namespaceSelector());
    }
    if (e.serviceAccounts() != null) {
      var sa = e.serviceAccounts();
      for (int i = 0; i < sa.names().size(); i++) {
        String n = sa.names().get(i);
        if (n == null || !Validator.isDnsSubdomain(n)) {
          c.add(f + ".serviceAccounts.names[" + i + "]", n, "must be a service account name");
        }
      }
      if (sa.selector() != null) c.selector(f + ".serviceAccounts.selector", sa.selector());
    }
    boolean hasPorts = !e.ports().isEmpty() || !e.notPorts().isEmpty();
    if (hasPorts && (proto == null || !PORT_PROTOCOLS.contains(proto.toUpperCase(Locale.ROOT)))) {
      c.add(f + ".ports", proto, "need protocol TCP, UDP or SCTP in the rule");
    }
    ports(c, f + ".ports", e.ports());
    ports(c, f + ".notPorts", e.notPorts());
  }

  private static void net(ViolationCollector c, String field, String value) {
    try {
      Cidr.parseAddressOrCidr(value);
    } catch (IllegalArgumentException | NullPointerException ex) {
      c.add(field, value, "must be a CIDR such as 10.0.0.0/16 or an address");
    }
  }

  private static void ports(ViolationCollector c, String field, List<PortSpec> ports) {
    for (int i = 0; i < ports.size(); i++) {
      String f = field + "[" + i + "]";
      String t = ports.get(i) == null ? "" : ports.get(i).text();
      Matcher m = RANGE.matcher(t);
      if (NUMBER.matcher(t).matches()) {
        portNumber(c, f, t, Long.parseLong(t));
      } else if (m.matches()) {
        long lo = Long.parseLong(m.group(1));
        long hi = Long.parseLong(m.group(2));
        if (lo > 65535 || hi > 65535) c.add(f, t, "must be a port range within 0-65535");
        else if (lo > hi) c.add(f, t, "must be a range first:last with first <= last");
      } else if (!PORT_NAME.matcher(t).matches() || t.chars().allMatch(Character::isDigit)) {
        c.add(f, t, "must be a port 1-65535, a range such as 1000:2000, or a port name");
      }
    }
  }

  private static void portNumber(ViolationCollector c, String field, Object shown, long n) {
    if (n < 1 || n > 65535) c.add(field, shown, "must be a port 1-65535");
  }

  private static void dnsLabel(ViolationCollector c, String field, String v) {
    if (v.length() > 63 || !Validator.DNS_LABEL.matcher(v).matches()) {
      c.add(field, v, "must be a lower-case DNS-1123 label");
    }
  }

  // ------------------------------------------------------------------ Kubernetes

  static void kubernetes(ViolationCollector c, KubernetesNetworkPolicySpec s) {
    labelSelector(c, "spec.podSelector", s.podSelector());
    if (s.policyTypes() != null) types(c, "spec.policyTypes", s.policyTypes());
    k8sRules(c, "spec.ingress", s.ingressRules(), true);
    k8sRules(c, "spec.egress", s.egressRules(), false);
  }

  private static void k8sRules(
      ViolationCollector c,
      String field,
      List<KubernetesNetworkPolicySpec.Rule> rules,
      boolean ingress) {
    for (int i = 0; i < rules.size(); i++) {
      String f = field + "[" + i + "]";
      var r = rules.get(i);
      // each direction has one peer list; the other one is a mistake worth naming
      if (ingress && !r.to().isEmpty()) c.add(f + ".to", "[...]", "is for egress rules; use from");
      if (!ingress && !r.from().isEmpty()) {
        c.add(f + ".from", "[...]", "is for ingress rules; use to");
      }
      List<KubernetesNetworkPolicySpec.Peer> peers = ingress ? r.from() : r.to();
      String pf = f + (ingress ? ".from" : ".to");
      for (int j = 0; j < peers.size(); j++) peer(c, pf + "[" + j + "]", peers.get(j));
      for (int j = 0; j < r.ports().size(); j++)
        k8sPort(c, f + ".ports[" + j + "]", r.ports().get(j));
    }
  }

  private static void peer(ViolationCollector c, String f, KubernetesNetworkPolicySpec.Peer p) {
    if (p == null
        || (p.ipBlock() == null && p.podSelector() == null && p.namespaceSelector() == null)) {
      c.add(f, "{}", "must set podSelector, namespaceSelector or ipBlock");
      return;
    }
    if (p.ipBlock() != null) {
      if (p.podSelector() != null || p.namespaceSelector() != null) {
        c.add(f + ".ipBlock", p.ipBlock().cidr(), "cannot be combined with a selector in one peer");
      }
      Cidr cidr = c.cidr(f + ".ipBlock.cidr", p.ipBlock().cidr(), true);
      for (int i = 0; i < p.ipBlock().except().size(); i++) {
        String ef = f + ".ipBlock.except[" + i + "]";
        Cidr ex = c.cidr(ef, p.ipBlock().except().get(i), true);
        if (cidr != null
            && ex != null
            && !(cidr.contains(ex.address()) && ex.prefixLength() >= cidr.prefixLength())) {
          c.add(ef, p.ipBlock().except().get(i), "must lie within ipBlock.cidr " + cidr);
        }
      }
    }
    if (p.podSelector() != null) labelSelector(c, f + ".podSelector", p.podSelector());
    if (p.namespaceSelector() != null) {
      labelSelector(c, f + ".namespaceSelector", p.namespaceSelector());
    }
  }

  private static void k8sPort(ViolationCollector c, String f, KubernetesNetworkPolicySpec.Port p) {
    if (p.protocol() != null && !K8S_PROTOCOLS.contains(p.protocol())) {
      c.add(f + ".protocol", p.protocol(), "must be TCP, UDP or SCTP");
    }
    String t = p.port() == null ? null : p.port().text();
    boolean numeric = t != null && NUMBER.matcher(t).matches();
    if (t != null) {
      if (numeric) portNumber(c, f + ".port", t, Long.parseLong(t));
      else if (!PORT_NAME.matcher(t).matches() || t.chars().allMatch(Character::isDigit)) {
        c.add(f + ".port", t, "must be a port 1-65535 or a port name");
      }
    }
    if (p.endPort() != null) {
      if (!numeric) {
        c.add(
            f + ".endPort",
            p.endPort(),
            "needs a numeric port (ranges of named ports do not exist)");
      } else if (p.endPort() < Long.parseLong(t) || p.endPort() > 65535) {
        c.add(f + ".endPort", p.endPort(), "must be at least port " + t + " and at most 65535");
      }
    }
  }

  private static void labelSelector(
      ViolationCollector c, String f, KubernetesNetworkPolicySpec.LabelSelector s) {
    for (Map.Entry<String, String> e : s.matchLabels().entrySet()) {
      if (!Validator.isQualifiedName(e.getKey()))
        c.add(f + ".matchLabels", e.getKey(), "must be a label key");
      if (e.getValue() == null || !Validator.LABEL_VALUE.matcher(e.getValue()).matches()) {
        c.add(f + ".matchLabels[" + e.getKey() + "]", e.getValue(), "must be a label value");
      }
    }
    for (int i = 0; i < s.matchExpressions().size(); i++) {
      var r = s.matchExpressions().get(i);
      String rf = f + ".matchExpressions[" + i + "]";
      if (!Validator.isQualifiedName(r.key())) c.add(rf + ".key", r.key(), "must be a label key");
      String op = r.operator();
      if ("In".equals(op) || "NotIn".equals(op)) {
        if (r.values().isEmpty()) c.add(rf + ".values", "[]", "must not be empty for " + op);
      } else if ("Exists".equals(op) || "DoesNotExist".equals(op)) {
        if (!r.values().isEmpty()) c.add(rf + ".values", r.values(), "must be empty for " + op);
      } else {
        c.add(rf + ".operator", op, "must be In, NotIn, Exists or DoesNotExist");
      }
    }
  }

  // ------------------------------------------------------------------ Profile, Tier

  static void profile(ViolationCollector c, ProfileSpec s) {
    for (Map.Entry<String, String> e : s.labelsToApply().entrySet()) {
      if (!Validator.isQualifiedName(e.getKey())) {
        c.add("spec.labelsToApply", e.getKey(), "must be a label key");
      }
      if (e.getValue() == null || !Validator.LABEL_VALUE.matcher(e.getValue()).matches()) {
        c.add("spec.labelsToApply[" + e.getKey() + "]", e.getValue(), "must be a label value");
      }
    }
  }

  static void tier(ViolationCollector c, Tier t) {
    dnsLabel(c, "metadata.name", t.name() == null ? "" : t.name());
    if (t.spec().order() != null && !Double.isFinite(t.spec().order())) {
      c.add("spec.order", t.spec().order(), "must be a finite number");
    }
    String a = t.spec().defaultAction();
    if (a != null) {
      if (!a.equals(Tier.DENY) && !a.equals(Tier.PASS)) {
        c.add("spec.defaultAction", a, "must be Deny or Pass");
      } else if (Tier.DEFAULT.equals(t.name()) && !a.equals(Tier.DENY)) {
        // as Calico: the default tier holds the Kubernetes policies, whose isolation is a drop
        c.add("spec.defaultAction", a, "must be Deny for the tier default");
      }
    }
  }
}
