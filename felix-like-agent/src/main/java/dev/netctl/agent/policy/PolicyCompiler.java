package dev.netctl.agent.policy;

import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.model.GlobalNetworkPolicy;
import dev.netctl.datastore.model.KubernetesNetworkPolicy;
import dev.netctl.datastore.model.KubernetesNetworkPolicySpec;
import dev.netctl.datastore.model.KubernetesNetworkPolicySpec.LabelSelector;
import dev.netctl.datastore.model.NetworkPolicy;
import dev.netctl.datastore.model.NetworkPolicySpec;
import dev.netctl.datastore.model.PolicyRule;
import dev.netctl.datastore.model.PortSpec;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.Tier;
import dev.netctl.datastore.selector.Selector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Compiles every policy kind into {@link CompiledPolicy}. Kubernetes NetworkPolicy is converted as
 * Calico converts it: tier {@code default}, order 1000, one Allow rule per (peer, port) pair of
 * each Kubernetes rule, so that allows union and a selected pod with no matching rule is denied at
 * the end of the tier.
 */
public final class PolicyCompiler {

  /** Calico's order for converted Kubernetes policies. */
  public static final double KUBERNETES_ORDER = 1000;

  private PolicyCompiler() {}

  /**
   * Compiles one policy resource. A policy that cannot be compiled comes back {@link
   * CompiledPolicy#failed failed}: it still applies to its endpoints, and denies (fail closed).
   *
   * @throws IllegalArgumentException for a resource that is not a policy
   */
  public static CompiledPolicy compile(Resource r) {
    if (!isPolicy(r)) throw new IllegalArgumentException(r.kind() + " is not a policy");
    try {
      return switch (r) {
        case NetworkPolicy p -> calico(r, p.spec(), p.metadata().namespace());
        case GlobalNetworkPolicy p -> calico(r, p.spec(), null);
        case KubernetesNetworkPolicy p -> kubernetes(p);
        default -> throw new IllegalStateException();
      };
    } catch (RuntimeException e) {
      // fail closed where it would have applied, or, when even that is unknown, as narrowly as
      // its namespace allows
      String ns = r.metadata().namespace();
      Selector applies;
      try {
        applies = appliesTo(r);
      } catch (RuntimeException again) {
        applies = ns == null ? Selector.ALL : Labels.inNamespace(ns);
      }
      return new CompiledPolicy(
              id(r),
              tier(r),
              order(r),
              sortName(r),
              applies,
              true,
              true,
              List.of(),
              List.of(),
              null)
          .failed(e.getMessage());
    }
  }

  /** True for the kinds {@link #compile} takes. */
  public static boolean isPolicy(Resource r) {
    return r instanceof NetworkPolicy
        || r instanceof GlobalNetworkPolicy
        || r instanceof KubernetesNetworkPolicy;
  }

  /** The id of a policy resource. */
  public static PolicyId id(Resource r) {
    return new PolicyId(r.kind().name(), r.metadata().namespace(), r.name());
  }

  private static String tier(Resource r) {
    if (r.spec() instanceof NetworkPolicySpec s && s.tier() != null && !s.tier().isEmpty()) {
      return s.tier();
    }
    return Tier.DEFAULT;
  }

  private static Double order(Resource r) {
    return r.spec() instanceof NetworkPolicySpec s ? s.order() : KUBERNETES_ORDER;
  }

  /** The endpoints a policy applies to, as one selector over effective labels. */
  private static Selector appliesTo(Resource r) {
    String ns = r.metadata().namespace();
    if (r instanceof KubernetesNetworkPolicy k) {
      return Labels.and(selector(k.spec().podSelector()), Labels.inNamespace(ns));
    }
    NetworkPolicySpec s = (NetworkPolicySpec) r.spec();
    Selector applies = parse(s.selector());
    if (ns != null) applies = Labels.and(applies, Labels.inNamespace(ns));
    if (s.namespaceSelector() != null) {
      applies =
          Labels.and(applies, Labels.namespaceSelector(Selector.parse(s.namespaceSelector())));
    }
    if (s.serviceAccountSelector() != null) {
      applies =
          Labels.and(
              applies,
              Labels.serviceAccounts(List.of(), Selector.parse(s.serviceAccountSelector())));
    }
    return applies;
  }

  // ------------------------------------------------------------------ Calico

  private static CompiledPolicy calico(Resource r, NetworkPolicySpec s, String ns) {
    boolean ingress;
    boolean egress;
    if (s.types().isEmpty()) {
      // Calico's defaulting, unlike Kubernetes': Egress when egress rules exist, Ingress when
      // ingress rules exist or no egress rule does; a policy of egress rules alone leaves the
      // ingress of its endpoints open
      egress = !s.egress().isEmpty();
      ingress = !s.ingress().isEmpty() || !egress;
    } else {
      ingress = s.types().contains("Ingress");
      egress = s.types().contains("Egress");
    }
    return new CompiledPolicy(
        id(r),
        tier(r),
        s.order(),
        sortName(r),
        appliesTo(r),
        ingress,
        egress,
        calicoRules(s.ingress(), "spec.ingress", ns),
        calicoRules(s.egress(), "spec.egress", ns),
        null);
  }

  private static List<CompiledRule> calicoRules(List<PolicyRule> rules, String field, String ns) {
    List<CompiledRule> out = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      PolicyRule r = rules.get(i);
      out.add(
          new CompiledRule(
              field + "[" + i + "]",
              Action.parse(r.action()),
              ipVersion(r.ipVersion()),
              r.protocol() == null ? null : Protocols.parse(r.protocol()),
              r.notProtocol() == null ? null : Protocols.parse(r.notProtocol()),
              icmp(r.icmp()),
              icmp(r.notICMP()),
              entity(r.source(), ns),
              entity(r.destination(), ns)));
    }
    return out;
  }

  private static IpFamily ipVersion(Integer v) {
    if (v == null) return null;
    return switch (v) {
      case 4 -> IpFamily.V4;
      case 6 -> IpFamily.V6;
      default -> throw new IllegalArgumentException("ipVersion " + v + " is neither 4 nor 6");
    };
  }

  private static CompiledRule.Icmp icmp(PolicyRule.Icmp i) {
    if (i == null || i.type() == null) return null;
    return new CompiledRule.Icmp(i.type(), i.code());
  }

  private static EntityMatch entity(PolicyRule.Entity e, String ns) {
    Selector sel = e.selector() == null ? null : Selector.parse(e.selector());
    Selector notSel = e.notSelector() == null ? null : Selector.parse(e.notSelector());
    if (e.serviceAccounts() != null) {
      // Calico ANDs the service account condition with the selector; like the selector, it is
      // then scoped to the policy's namespace or the namespaceSelector's
      var sa = e.serviceAccounts();
      Selector bySa =
          Labels.serviceAccounts(
              sa.names(), sa.selector() == null ? null : Selector.parse(sa.selector()));
      if (bySa != null) sel = sel == null ? bySa : Labels.and(bySa, sel);
    }
    // A rule selector of a namespaced policy means that namespace, unless a namespaceSelector
    // says which namespaces: the same scoping Calico applies. As in Calico, the scope becomes the
    // positive selector as soon as any selector field is used, notSelector included: a namespaced
    // notSelector alone means "endpoints of this namespace except those", not "any address but
    // those" (which would also let in other namespaces' pods and addresses outside the cluster).
    if (e.namespaceSelector() != null) {
      Selector scope = Labels.namespaceSelector(Selector.parse(e.namespaceSelector()));
      sel = Labels.and(scope, sel == null ? Selector.ALL : sel);
    } else if (ns != null && (sel != null || notSel != null)) {
      Selector scope = Labels.inNamespace(ns);
      sel = sel == null ? scope : Labels.and(sel, scope);
    }
    List<PortRange> ports = new ArrayList<>();
    List<String> named = new ArrayList<>();
    split(e.ports(), ports, named);
    List<PortRange> notPorts = new ArrayList<>();
    List<String> notNamed = new ArrayList<>();
    split(e.notPorts(), notPorts, notNamed);
    return new EntityMatch(
        cidrs(e.nets()), cidrs(e.notNets()), sel, notSel, ports, named, notPorts, notNamed);
  }

  private static void split(List<PortSpec> specs, List<PortRange> ranges, List<String> named) {
    for (PortSpec p : specs) {
      if (p.named()) named.add(p.text());
      else ranges.add(PortRange.parse(p.text()));
    }
  }

  private static List<Cidr> cidrs(List<String> nets) {
    return nets.stream().map(n -> Cidr.parseAddressOrCidr(n).masked()).toList();
  }

  // ------------------------------------------------------------------ Kubernetes

  private static CompiledPolicy kubernetes(KubernetesNetworkPolicy p) {
    String ns = p.metadata().namespace();
    KubernetesNetworkPolicySpec s = p.spec();
    List<String> types = s.policyTypes();
    boolean ingress;
    boolean egress;
    if (types == null || types.isEmpty()) {
      // Kubernetes' defaulting: Ingress always, Egress when egress rules exist
      ingress = true;
      egress = !s.egressRules().isEmpty();
    } else {
      ingress = types.contains("Ingress");
      egress = types.contains("Egress");
    }
    return new CompiledPolicy(
        id(p),
        Tier.DEFAULT,
        KUBERNETES_ORDER,
        sortName(p),
        appliesTo(p),
        ingress,
        egress,
        k8sRules(s.ingressRules(), Direction.INGRESS, ns),
        k8sRules(s.egressRules(), Direction.EGRESS, ns),
        null);
  }

  private static List<CompiledRule> k8sRules(
      List<KubernetesNetworkPolicySpec.Rule> rules, Direction d, String ns) {
    List<CompiledRule> out = new ArrayList<>();
    String field = d == Direction.INGRESS ? "spec.ingress" : "spec.egress";
    String peerField = d == Direction.INGRESS ? "from" : "to";
    for (int i = 0; i < rules.size(); i++) {
      var r = rules.get(i);
      List<KubernetesNetworkPolicySpec.Peer> peers = d == Direction.INGRESS ? r.from() : r.to();
      List<KubernetesNetworkPolicySpec.Peer> ps = peers.isEmpty() ? nullList() : peers;
      List<KubernetesNetworkPolicySpec.Port> ports = r.ports().isEmpty() ? nullList() : r.ports();
      for (int j = 0; j < ps.size(); j++) {
        for (int k = 0; k < ports.size(); k++) {
          String origin =
              field
                  + "["
                  + i
                  + "]"
                  + (peers.isEmpty() ? "" : "." + peerField + "[" + j + "]")
                  + (r.ports().isEmpty() ? "" : ".ports[" + k + "]");
          out.add(k8sRule(origin, ps.get(j), ports.get(k), d, ns));
        }
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static <T> List<T> nullList() {
    return (List<T>) Arrays.asList(new Object[] {null});
  }

  private static CompiledRule k8sRule(
      String origin,
      KubernetesNetworkPolicySpec.Peer peer,
      KubernetesNetworkPolicySpec.Port port,
      Direction d,
      String ns) {
    Integer proto = null;
    List<PortRange> ranges = new ArrayList<>();
    List<String> named = new ArrayList<>();
    if (port != null) {
      proto = Protocols.parse(port.protocol() == null ? "TCP" : port.protocol());
      if (port.port() != null) {
        if (port.port().named()) {
          if (port.endPort() != null) {
            throw new IllegalArgumentException(origin + ": endPort needs a numeric port");
          }
          named.add(port.port().text());
        } else {
          int first = Integer.parseInt(port.port().text());
          ranges.add(new PortRange(first, port.endPort() == null ? first : port.endPort()));
        }
      } else if (port.endPort() != null) {
        throw new IllegalArgumentException(origin + ": endPort without port");
      }
    }
    List<Cidr> nets = List.of();
    List<Cidr> notNets = List.of();
    Selector sel = null;
    if (peer != null) {
      if (peer.ipBlock() != null) {
        nets = List.of(Cidr.parse(peer.ipBlock().cidr()).masked());
        notNets = cidrs(peer.ipBlock().except());
      }
      if (peer.namespaceSelector() != null) {
        sel = Labels.namespaceSelector(selector(peer.namespaceSelector()));
        if (peer.podSelector() != null) sel = Labels.and(sel, selector(peer.podSelector()));
      } else if (peer.podSelector() != null) {
        sel = Labels.and(selector(peer.podSelector()), Labels.inNamespace(ns));
      }
    }
    EntityMatch peerMatch =
        new EntityMatch(nets, notNets, sel, null, List.of(), List.of(), List.of(), List.of());
    EntityMatch portMatch =
        new EntityMatch(List.of(), List.of(), null, null, ranges, named, List.of(), List.of());
    EntityMatch dst =
        d == Direction.INGRESS
            ? portMatch
            : new EntityMatch(nets, notNets, sel, null, ranges, named, List.of(), List.of());
    EntityMatch src = d == Direction.INGRESS ? peerMatch : EntityMatch.ANY;
    return new CompiledRule(origin, Action.ALLOW, null, proto, null, null, null, src, dst);
  }

  /** A Kubernetes label selector as a Calico selector; {@code {}} is {@code all()}. */
  public static Selector selector(LabelSelector s) {
    List<Selector> parts = new ArrayList<>();
    s.matchLabels().entrySet().stream()
        .sorted(java.util.Map.Entry.comparingByKey())
        .forEach(e -> parts.add(new Selector.Equals(e.getKey(), e.getValue())));
    for (var r : s.matchExpressions()) {
      parts.add(
          switch (r.operator()) {
            case "In" -> new Selector.In(r.key(), r.values());
            case "NotIn" -> new Selector.NotIn(r.key(), r.values());
            case "Exists" -> new Selector.Has(r.key());
            case "DoesNotExist" -> new Selector.Not(new Selector.Has(r.key()));
            default -> throw new IllegalArgumentException("operator " + r.operator());
          });
    }
    if (parts.isEmpty()) return Selector.ALL;
    return parts.size() == 1 ? parts.getFirst() : new Selector.And(parts);
  }

  private static Selector parse(String s) {
    return s == null || s.isBlank() ? Selector.ALL : Selector.parse(s);
  }

  private static String sortName(Resource r) {
    String ns = r.metadata().namespace();
    String base = ns == null ? r.name() : ns + "/" + r.name();
    // Calico names converted Kubernetes policies knp.default.<name>
    return r instanceof KubernetesNetworkPolicy ? "knp.default." + base : base;
  }
}
