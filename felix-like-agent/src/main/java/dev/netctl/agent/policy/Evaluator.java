package dev.netctl.agent.policy;

import dev.netctl.agent.policy.Verdict.Decision;
import dev.netctl.agent.policy.Verdict.Outcome;
import dev.netctl.datastore.model.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Answers "may a packet from A to B on protocol/port pass" from the {@link PolicyModel}, with the
 * policy and rule that decided each direction. Calico's semantics: per direction, tiers in order;
 * in a tier the applicable policies in order and their rules in order; Allow and Deny decide, Pass
 * goes to the next tier, Log goes on; a tier with applicable policies and no decision drops, or
 * goes on to the next tier when its {@code defaultAction} is Pass; a rule's {@code ipVersion} keeps
 * it to packets of that family; with no applicable policy (or everything passed) the namespace
 * profile allows. Both the source's egress and the destination's ingress must allow. Replies are
 * not evaluated: the dataplane is stateful and accepts them.
 */
public final class Evaluator {

  private final PolicyModel model;
  private final Map<InetAddress, Endpoint> byAddress = new HashMap<>();
  private final Map<Endpoint, Map<String, String>> labels = new HashMap<>();

  /**
   * @param model the policies
   * @param endpoints every workload endpoint (their addresses identify them)
   * @param namespaceLabels each namespace's labels
   * @param serviceAccountLabels each service account's labels, by {@link Labels#serviceAccountKey}
   */
  public Evaluator(
      PolicyModel model,
      List<Endpoint> endpoints,
      Map<String, Map<String, String>> namespaceLabels,
      Map<String, Map<String, String>> serviceAccountLabels) {
    this.model = model;
    for (Endpoint e : endpoints) {
      for (InetAddress a : e.addresses()) byAddress.put(a, e);
      labels.put(
          e,
          Labels.effective(
              e, namespaceLabels.getOrDefault(e.namespace(), Map.of()), serviceAccountLabels));
    }
  }

  /** An evaluator of endpoints whose service accounts have no labels. */
  public Evaluator(
      PolicyModel model,
      List<Endpoint> endpoints,
      Map<String, Map<String, String>> namespaceLabels) {
    this(model, endpoints, namespaceLabels, Map.of());
  }

  /** The endpoint owning {@code address}, or null. */
  public Endpoint endpoint(InetAddress address) {
    return byAddress.get(address);
  }

  /**
   * The verdict for a packet.
   *
   * @param src source address
   * @param srcPort source port, or -1 when not known: then no rule with a source port condition
   *     ({@code source.ports} or {@code source.notPorts}) matches
   * @param dst destination address
   * @param protocol IP protocol number
   * @param port destination port (ignored for protocols without ports); for ICMP and ICMPv6 the
   *     type, with code 0
   * @param fromNode true when the source is the destination's own node (kubelet probes)
   */
  public Verdict evaluate(
      InetAddress src, int srcPort, InetAddress dst, int protocol, int port, boolean fromNode) {
    Endpoint s = byAddress.get(src);
    Endpoint d = byAddress.get(dst);
    Packet p = new Packet(src, s, srcPort, dst, d, protocol, port);
    Decision egress = s == null ? notWorkload(src) : direction(p, s, Direction.EGRESS);
    Decision ingress;
    if (d == null) ingress = notWorkload(dst);
    else if (fromNode)
      ingress = new Decision(Outcome.FROM_NODE, null, null, "from its own node: always allowed");
    else ingress = direction(p, d, Direction.INGRESS);
    return new Verdict(egress.allows() && ingress.allows(), egress, ingress);
  }

  /** The verdict for a packet whose source port is not known. */
  public Verdict evaluate(
      InetAddress src, InetAddress dst, int protocol, int port, boolean fromNode) {
    return evaluate(src, -1, dst, protocol, port, fromNode);
  }

  /** Same, from another pod. */
  public Verdict evaluate(InetAddress src, InetAddress dst, int protocol, int port) {
    return evaluate(src, -1, dst, protocol, port, false);
  }

  private static Decision notWorkload(InetAddress a) {
    return new Decision(
        Outcome.NOT_A_WORKLOAD, null, null, Cidr.format(a) + " is not a workload: no policy");
  }

  private Decision direction(Packet p, Endpoint e, Direction d) {
    List<List<CompiledPolicy>> tiers = model.applicable(labels.get(e), d);
    if (tiers.isEmpty()) {
      return new Decision(
          Outcome.NOT_ISOLATED, null, null, "not isolated for " + d.calicoName().toLowerCase());
    }
    // tiers whose policies applied, decided nothing, and whose defaultAction Pass went on
    List<String> passedAtEnd = new ArrayList<>();
    tiers:
    for (List<CompiledPolicy> tier : tiers) {
      for (CompiledPolicy pol : tier) {
        if (pol.error() != null) {
          return noting(
              passedAtEnd,
              new Decision(
                  Outcome.FAILED_CLOSED,
                  pol.id(),
                  null,
                  "denied: "
                      + pol.id()
                      + " cannot be rendered and fails closed ("
                      + pol.error()
                      + ")"));
        }
        for (CompiledRule r : pol.rules(d)) {
          if (!matches(r, p)) continue;
          switch (r.action()) {
            case ALLOW -> {
              return noting(
                  passedAtEnd,
                  new Decision(
                      Outcome.ALLOWED,
                      pol.id(),
                      r.origin(),
                      "allowed by " + pol.id() + " " + r.origin()));
            }
            case DENY -> {
              return noting(
                  passedAtEnd,
                  new Decision(
                      Outcome.DENIED,
                      pol.id(),
                      r.origin(),
                      "denied by " + pol.id() + " " + r.origin()));
            }
            case PASS -> {
              continue tiers;
            }
            case LOG -> {}
          }
        }
      }
      String tierName = tier.getFirst().tier();
      if (model.endOfTier(tierName) == Action.PASS) {
        passedAtEnd.add(tierName);
        continue;
      }
      String names = tier.stream().map(c -> c.id().toString()).collect(Collectors.joining(", "));
      return noting(
          passedAtEnd,
          new Decision(
              Outcome.NO_RULE,
              tier.getFirst().id(),
              null,
              "isolated by " + names + "; no rule allows"));
    }
    return noting(
        passedAtEnd,
        new Decision(Outcome.PASSED, null, null, "passed by every tier; the profile allows"));
  }

  /** The decision, saying which tiers passed the packet on by their defaultAction. */
  private static Decision noting(List<String> passedAtEnd, Decision d) {
    if (passedAtEnd.isEmpty()) return d;
    String tiers = passedAtEnd.size() == 1 ? "tier " : "tiers ";
    return new Decision(
        d.outcome(),
        d.policy(),
        d.rule(),
        d.text()
            + " ("
            + tiers
            + String.join(", ", passedAtEnd)
            + " decided nothing and passed it on: defaultAction Pass)");
  }

  private boolean matches(CompiledRule r, Packet p) {
    if (!r.ofFamily(IpFamily.of(p.src))) return false;
    if (r.protocol() != null && r.protocol() != p.protocol) return false;
    if (r.notProtocol() != null && r.notProtocol() == p.protocol) return false;
    // an icmp/notICMP condition matches packets of its ICMP protocol only (nft's "icmp type" and
    // "icmpv6 type" carry that protocol match); a query of that protocol names the type as its
    // port, code 0 (what echo requests carry)
    if (r.icmp() != null || r.notIcmp() != null) {
      boolean v6 = r.protocol() != null && r.protocol() == Protocols.ICMPV6;
      if (p.protocol != (v6 ? Protocols.ICMPV6 : Protocols.ICMP)) return false;
      if (r.icmp() != null && !icmp(r.icmp(), p.port)) return false;
      if (r.notIcmp() != null && icmp(r.notIcmp(), p.port)) return false;
    }
    return entity(r.source(), p.src, p.srcEp, p.srcPort, p.protocol)
        && entity(r.destination(), p.dst, p.dstEp, p.port, p.protocol);
  }

  private static boolean icmp(CompiledRule.Icmp i, int type) {
    return i.type() == type && (i.code() == null || i.code() == 0);
  }

  private boolean entity(EntityMatch m, InetAddress a, Endpoint ep, int port, int protocol) {
    if (!m.nets().isEmpty() && m.nets().stream().noneMatch(c -> c.contains(a))) return false;
    if (m.notNets().stream().anyMatch(c -> c.contains(a))) return false;
    if (m.selector() != null && (ep == null || !m.selector().matches(labels.get(ep)))) return false;
    if (m.notSelector() != null && ep != null && m.notSelector().matches(labels.get(ep))) {
      return false;
    }
    boolean portful = Protocols.hasPorts(protocol) && port >= 0;
    if (m.hasPorts()) {
      if (!portful) return false;
      boolean in =
          m.ports().stream().anyMatch(r -> r.contains(port))
              || m.namedPorts().stream().anyMatch(n -> named(ep, n, protocol, port));
      if (!in) return false;
    }
    if (!m.notPorts().isEmpty() || !m.notNamedPorts().isEmpty()) {
      if (!portful) return false;
      if (m.notPorts().stream().anyMatch(r -> r.contains(port))) return false;
      if (m.notNamedPorts().stream().anyMatch(n -> named(ep, n, protocol, port))) return false;
    }
    return true;
  }

  private static boolean named(Endpoint ep, String name, int protocol, int port) {
    if (ep == null) return false;
    for (NamedPort np : ep.ports()) {
      if (np.name().equals(name) && np.protocol() == protocol && np.port() == port) return true;
    }
    return false;
  }

  /** Every endpoint, for matrices. */
  public List<Endpoint> endpoints() {
    return new ArrayList<>(labels.keySet());
  }

  private record Packet(
      InetAddress src,
      Endpoint srcEp,
      int srcPort,
      InetAddress dst,
      Endpoint dstEp,
      int protocol,
      int port) {}
}
