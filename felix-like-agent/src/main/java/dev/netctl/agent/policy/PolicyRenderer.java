package dev.netctl.agent.policy;

import dev.netctl.datastore.model.Cidr;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Renders the {@link PolicyModel}'s rules as nftables rule text (pure: no I/O).
 *
 * <p>Per direction, an endpoint's chain walks the tiers: it jumps to each applicable policy's chain
 * while neither the allow nor the pass mark is set, returns when allowed, drops at the end of a
 * tier nothing passed (unless the tier's {@code defaultAction} is Pass), and clears the pass mark
 * before the next tier. A policy chain sets the allow mark and returns (Allow), drops (Deny), sets
 * the pass mark and returns (Pass) or logs (Log). A mark instead of {@code accept} because the
 * source's egress and the destination's ingress are both checked in one forward hook: an accept in
 * the first would skip the second.
 */
public final class PolicyRenderer {

  /** Set in a policy chain when a rule allowed the packet. */
  public static final int ALLOW_MARK = 0x10000;

  /** Set in a policy chain when a rule passed the packet to the next tier. */
  public static final int PASS_MARK = 0x20000;

  private static final List<NftStatement> ALLOW_VERDICT =
      List.of(new NftStatement.MarkSet(~ALLOW_MARK, ALLOW_MARK), NftStatement.Verdict.RETURN);
  private static final List<NftStatement> PASS_VERDICT =
      List.of(new NftStatement.MarkSet(~PASS_MARK, PASS_MARK), NftStatement.Verdict.RETURN);

  private PolicyRenderer() {}

  /** Why a policy cannot be rendered; the policy then fails closed. */
  public static final class UnrenderableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnrenderableException(String message) {
      super(message);
    }
  }

  /**
   * One direction of a policy as nft rules.
   *
   * @param rules the rules, in chain order
   * @param sets the named sets they refer to
   */
  public record Rendered(List<NftRule> rules, Set<NftSet> sets) {
    /** The rules' texts, without {@code add rule <table> <chain>}. */
    public List<String> texts() {
      return rules.stream().map(NftRule::text).toList();
    }
  }

  /** The rules of {@code p} for direction {@code d}, for endpoints of both families. */
  public static Rendered policy(CompiledPolicy p, Direction d) {
    return policy(p, d, EnumSet.allOf(IpFamily.class));
  }

  /**
   * The rules of {@code p} for direction {@code d}. A rule that matches addresses is rendered once
   * per family it can match; the variant of a family no endpoint has an address of is left out when
   * it needs an endpoint's address (a selector or named port set of that family would be empty, so
   * the variant could never match).
   *
   * @param endpointFamilies the families the cluster's endpoints have addresses of
   * @throws UnrenderableException when a rule uses what the dataplane cannot express
   */
  public static Rendered policy(CompiledPolicy p, Direction d, Set<IpFamily> endpointFamilies) {
    if (p.error() != null) return failClosed(p.error());
    List<NftRule> out = new ArrayList<>();
    Set<NftSet> sets = new LinkedHashSet<>();
    String tag = p.id().toString();
    for (CompiledRule r : p.rules(d)) {
      List<NftStatement> verdict =
          switch (r.action()) {
            case ALLOW -> ALLOW_VERDICT;
            case DENY -> List.of(NftStatement.Verdict.DROP);
            case PASS -> PASS_VERDICT;
            case LOG -> List.of(new NftStatement.Log("netctl " + Names.hash(tag) + " "));
          };
      String comment = comment(tag + " " + r.origin());
      for (List<NftMatch> notIcmp : notIcmp(r)) {
        List<NftMatch> common = concat(protocol(r), notIcmp);
        if (!matchesAddresses(r.source()) && !matchesAddresses(r.destination())) {
          // one rule for both families (an icmp/icmpv6 match carries its own family), or for the
          // rule's ipVersion alone
          if (r.ipVersion() != null)
            common = concat(List.of(new NftMatch.Nfproto(r.ipVersion())), common);
          for (List<NftMatch> a : ports(r.source(), true)) {
            for (List<NftMatch> b : ports(r.destination(), false)) {
              out.add(new NftRule(concat(common, a, b), verdict, comment));
            }
          }
          continue;
        }
        for (IpFamily f : IpFamily.values()) {
          if (!r.ofFamily(f) || !canMatch(r, f)) continue;
          if (needsEndpoint(r) && !endpointFamilies.contains(f)) continue;
          List<List<NftMatch>> src = entity(r.source(), f, true, r, sets);
          List<List<NftMatch>> dst = entity(r.destination(), f, false, r, sets);
          for (List<NftMatch> a : src) {
            for (List<NftMatch> b : dst) {
              List<NftMatch> m = concat(common, a, b);
              // a variant with no expression of its family (only the other family's notNets)
              // says it
              if (m.stream().noneMatch(x -> ofFamily(x, f))) {
                m = concat(List.of(new NftMatch.Nfproto(f)), m);
              }
              out.add(new NftRule(m, verdict, comment));
            }
          }
        }
      }
    }
    return new Rendered(List.copyOf(out), Set.copyOf(sets));
  }

  private static boolean ofFamily(NftMatch m, IpFamily f) {
    return switch (m) {
      case NftMatch.Nets n -> n.family() == f;
      case NftMatch.AddressSet a -> a.family() == f;
      case NftMatch.NamedPortSet n -> n.family() == f;
      default -> false;
    };
  }

  @SafeVarargs
  private static List<NftMatch> concat(List<NftMatch>... parts) {
    List<NftMatch> out = new ArrayList<>();
    for (List<NftMatch> p : parts) out.addAll(p);
    return out;
  }

  /** Whether the rule can match a packet of family {@code f} at all. */
  private static boolean canMatch(CompiledRule r, IpFamily f) {
    for (EntityMatch m : List.of(r.source(), r.destination())) {
      if (!m.nets().isEmpty() && m.nets().stream().noneMatch(c -> IpFamily.of(c) == f)) {
        return false;
      }
    }
    Integer proto = r.protocol();
    if (proto != null && proto == Protocols.ICMP && f == IpFamily.V6) return false;
    return proto == null || proto != Protocols.ICMPV6 || f == IpFamily.V6;
  }

  /** Whether the rule needs an endpoint's address (a selector or named port must match). */
  private static boolean needsEndpoint(CompiledRule r) {
    for (EntityMatch m : List.of(r.source(), r.destination())) {
      if (m.selector() != null || !m.namedPorts().isEmpty()) return true;
    }
    return false;
  }

  private static boolean matchesAddresses(EntityMatch m) {
    return !m.nets().isEmpty()
        || !m.notNets().isEmpty()
        || m.selector() != null
        || m.notSelector() != null
        || !m.namedPorts().isEmpty()
        || !m.notNamedPorts().isEmpty();
  }

  /** The port alternatives of one end when no address is matched (numbers only). */
  private static List<List<NftMatch>> ports(EntityMatch m, boolean source) {
    List<NftMatch> not =
        m.notPorts().isEmpty()
            ? List.of()
            : List.of(new NftMatch.Ports(source, true, m.notPorts()));
    if (m.ports().isEmpty()) return List.of(not);
    return List.of(concat(not, List.of(new NftMatch.Ports(source, false, m.ports()))));
  }

  /** The chain body of a policy that fails closed. */
  public static Rendered failClosed(String reason) {
    return new Rendered(
        List.of(
            new NftRule(
                List.of(), List.of(NftStatement.Verdict.DROP), comment("fail closed: " + reason))),
        Set.of());
  }

  /**
   * An endpoint's chain for one direction: the applicable policies per tier ({@link
   * PolicyModel#applicable}). No tier: no rule, so the chain returns and the profile allows.
   *
   * @param endOfTier what each tier does when nothing in it decided ({@link
   *     PolicyModel#endOfTier}): Deny drops, Pass goes on to the next tier (after the last, the
   *     chain returns and the profile allows)
   */
  public static List<NftRule> endpoint(
      List<List<CompiledPolicy>> tiers, Direction d, Function<String, Action> endOfTier) {
    if (tiers.isEmpty()) return List.of();
    List<NftRule> out = new ArrayList<>();
    int both = ALLOW_MARK | PASS_MARK;
    out.add(NftRule.of(List.of(), new NftStatement.MarkSet(~both, 0)));
    for (List<CompiledPolicy> tier : tiers) {
      for (CompiledPolicy p : tier) {
        out.add(
            NftRule.of(
                List.of(new NftMatch.Mark(both, 0)),
                NftStatement.Verdict.jump(Names.policyChain(p.id(), d))));
      }
      out.add(
          NftRule.of(
              List.of(new NftMatch.Mark(ALLOW_MARK, ALLOW_MARK)), NftStatement.Verdict.RETURN));
      String name = tier.getFirst().tier();
      if (endOfTier.apply(name) == Action.PASS) {
        // defaultAction Pass: what no policy decided goes on to the next tier, as a Pass rule would
        out.add(NftRule.of(List.of(), new NftStatement.MarkSet(~PASS_MARK, 0)));
        continue;
      }
      out.add(
          new NftRule(
              List.of(new NftMatch.Mark(PASS_MARK, 0)),
              List.of(NftStatement.Verdict.DROP),
              "end of tier " + comment(name)));
      out.add(NftRule.of(List.of(), new NftStatement.MarkSet(~PASS_MARK, 0)));
    }
    return out;
  }

  private static List<NftMatch> protocol(CompiledRule r) {
    List<NftMatch> parts = new ArrayList<>();
    if (r.protocol() != null) parts.add(new NftMatch.L4proto(false, List.of(r.protocol())));
    else if (r.source().hasPorts()
        || r.destination().hasPorts()
        || !r.destination().notPorts().isEmpty()
        || !r.destination().notNamedPorts().isEmpty()
        || !r.source().notPorts().isEmpty()) {
      // th reads ports from any transport header: keep it to protocols that have ports
      parts.add(new NftMatch.L4proto(false, List.of(6, 17, 132, 136)));
    }
    if (r.notProtocol() != null) parts.add(new NftMatch.L4proto(true, List.of(r.notProtocol())));
    if (r.icmp() != null) parts.add(icmp(r, r.icmp(), false));
    return parts;
  }

  private static NftMatch icmp(CompiledRule r, CompiledRule.Icmp i, boolean not) {
    return new NftMatch.Icmp(v6(r), not, i.type(), i.code());
  }

  private static boolean v6(CompiledRule r) {
    return r.protocol() != null && r.protocol() == Protocols.ICMPV6;
  }

  /**
   * The alternatives (one nft rule each) of a rule's {@code notICMP}: none, {@code type != T}, or
   * with a code, "another type, or this type with another code" — nft cannot negate the type and
   * code comparison nft writes as one.
   */
  private static List<List<NftMatch>> notIcmp(CompiledRule r) {
    CompiledRule.Icmp i = r.notIcmp();
    if (i == null) return List.of(List.of());
    if (i.code() == null) return List.of(List.of(icmp(r, i, true)));
    return List.of(
        List.of(icmp(r, new CompiledRule.Icmp(i.type(), null), true)),
        List.of(new NftMatch.IcmpCodeNot(v6(r), i.type(), i.code())));
  }

  /** The alternatives (OR'd: one nft rule each) for one end of the packet, family {@code f}. */
  private static List<List<NftMatch>> entity(
      EntityMatch m, IpFamily f, boolean source, CompiledRule r, Set<NftSet> sets) {
    List<NftMatch> fixed = new ArrayList<>();
    List<Cidr> nets = ofFamily(m.nets(), f);
    if (!nets.isEmpty()) fixed.add(new NftMatch.Nets(f, source, false, nets));
    List<Cidr> notNets = ofFamily(m.notNets(), f);
    if (!notNets.isEmpty()) fixed.add(new NftMatch.Nets(f, source, true, notNets));
    if (m.selector() != null) {
      NftSet s = new NftSet.Addresses(m.selector(), f);
      sets.add(s);
      fixed.add(new NftMatch.AddressSet(f, source, false, s.name()));
    }
    if (m.notSelector() != null) {
      NftSet s = new NftSet.Addresses(m.notSelector(), f);
      sets.add(s);
      fixed.add(new NftMatch.AddressSet(f, source, true, s.name()));
    }
    if (!m.notPorts().isEmpty()) fixed.add(new NftMatch.Ports(source, true, m.notPorts()));
    for (String n : m.notNamedPorts()) {
      NftSet s = namedSet(n, r, f);
      sets.add(s);
      fixed.add(new NftMatch.NamedPortSet(f, source, true, s.name()));
    }
    if (!m.hasPorts()) return List.of(fixed);
    List<List<NftMatch>> alts = new ArrayList<>();
    if (!m.ports().isEmpty()) {
      alts.add(concat(fixed, List.of(new NftMatch.Ports(source, false, m.ports()))));
    }
    for (String n : m.namedPorts()) {
      NftSet s = namedSet(n, r, f);
      sets.add(s);
      alts.add(concat(fixed, List.of(new NftMatch.NamedPortSet(f, source, false, s.name()))));
    }
    return alts;
  }

  private static List<Cidr> ofFamily(List<Cidr> nets, IpFamily f) {
    if (nets.isEmpty()) return nets;
    List<Cidr> out = new ArrayList<>(nets.size());
    for (Cidr c : nets) if (IpFamily.of(c) == f) out.add(c);
    return out;
  }

  private static NftSet namedSet(String name, CompiledRule r, IpFamily f) {
    if (r.protocol() == null) {
      throw new UnrenderableException("named port " + name + " needs a protocol in the rule");
    }
    return new NftSet.NamedPorts(name, r.protocol(), f);
  }

  /** Comment text nft accepts: no quotes, at most 128 bytes. */
  static String comment(String s) {
    String c = s.replace('"', '\'').replace('\\', '/');
    return c.length() > 120 ? c.substring(0, 120) : c;
  }
}
