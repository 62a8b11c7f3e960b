package dev.netctl.agent.policy;

import dev.netctl.datastore.model.Cidr;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Renders the {@link PolicyModel}'s rules as nftables rule text (pure: no I/O).
 *
 * <p>Per direction, an endpoint's chain walks the tiers: it jumps to each applicable policy's chain
 * while neither the allow nor the pass mark is set, returns when allowed, drops at the end of a
 * tier nothing passed, and clears the pass mark before the next tier. A policy chain sets the allow
 * mark and returns (Allow), drops (Deny), sets the pass mark and returns (Pass) or logs (Log). A
 * mark instead of {@code accept} because the source's egress and the destination's ingress are both
 * checked in one forward hook: an accept in the first would skip the second.
 */
public final class PolicyRenderer {

  /** Set in a policy chain when a rule allowed the packet. */
  public static final int ALLOW_MARK = 0x10000;

  /** Set in a policy chain when a rule passed the packet to the next tier. */
  public static final int PASS_MARK = 0x20000;

  private static final String ALLOW_VERDICT =
      "meta mark set meta mark | " + hex(ALLOW_MARK) + " return";
  private static final String PASS_VERDICT =
      "meta mark set meta mark | " + hex(PASS_MARK) + " return";

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
   * @param rules rule texts, without {@code add rule <table> <chain>}
   * @param sets the named sets they refer to
   */
  public record Rendered(List<String> rules, Set<NftSet> sets) {}

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
    List<String> out = new ArrayList<>();
    Set<NftSet> sets = new LinkedHashSet<>();
    String tag = p.id().toString();
    for (CompiledRule r : p.rules(d)) {
      String verdict =
          switch (r.action()) {
            case ALLOW -> ALLOW_VERDICT;
            case DENY -> "drop";
            case PASS -> PASS_VERDICT;
            case LOG -> "log prefix \"netctl " + Names.hash(tag) + " \"";
          };
      String common = protocol(r);
      String suffix = verdict + " comment \"" + comment(tag + " " + r.origin()) + "\"";
      if (!matchesAddresses(r.source()) && !matchesAddresses(r.destination())) {
        // one rule for both families (an icmp/icmpv6 match carries its own family)
        for (String a : ports(r.source(), "sport")) {
          for (String b : ports(r.destination(), "dport")) out.add(join(common, a, b, suffix));
        }
        continue;
      }
      for (IpFamily f : IpFamily.values()) {
        if (!canMatch(r, f) || (needsEndpoint(r) && !endpointFamilies.contains(f))) continue;
        List<String> src = entity(r.source(), f, "saddr", "sport", r, sets);
        List<String> dst = entity(r.destination(), f, "daddr", "dport", r, sets);
        for (String a : src) {
          for (String b : dst) {
            String m = join(common, a, b);
            // a variant with no expression of its family (only the other family's notNets) says it
            if (!m.contains(f.keyword + " ")) m = join("meta nfproto " + f.nfproto, m);
            out.add(join(m, suffix));
          }
        }
      }
    }
    return new Rendered(List.copyOf(out), Set.copyOf(sets));
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
  private static List<String> ports(EntityMatch m, String portKw) {
    String not = m.notPorts().isEmpty() ? "" : "th " + portKw + " != " + ports(m.notPorts());
    if (m.ports().isEmpty()) return List.of(not);
    return List.of(join(not, "th " + portKw + " " + ports(m.ports())));
  }

  /** The chain body of a policy that fails closed. */
  public static Rendered failClosed(String reason) {
    return new Rendered(
        List.of("drop comment \"" + comment("fail closed: " + reason) + "\""), Set.of());
  }

  /**
   * An endpoint's chain for one direction: the applicable policies per tier ({@link
   * PolicyModel#applicable}). No tier: no rule, so the chain returns and the profile allows.
   */
  public static List<String> endpoint(List<List<CompiledPolicy>> tiers, Direction d) {
    if (tiers.isEmpty()) return List.of();
    List<String> out = new ArrayList<>();
    int both = ALLOW_MARK | PASS_MARK;
    out.add("meta mark set meta mark & " + hex(~both));
    for (List<CompiledPolicy> tier : tiers) {
      for (CompiledPolicy p : tier) {
        out.add("meta mark & " + hex(both) + " == 0x0 jump " + Names.policyChain(p.id(), d));
      }
      out.add("meta mark & " + hex(ALLOW_MARK) + " == " + hex(ALLOW_MARK) + " return");
      out.add(
          "meta mark & "
              + hex(PASS_MARK)
              + " == 0x0 drop comment \"end of tier "
              + comment(tier.getFirst().tier())
              + "\"");
      out.add("meta mark set meta mark & " + hex(~PASS_MARK));
    }
    return out;
  }

  private static String protocol(CompiledRule r) {
    List<String> parts = new ArrayList<>();
    if (r.protocol() != null) parts.add("meta l4proto " + r.protocol());
    else if (r.source().hasPorts()
        || r.destination().hasPorts()
        || !r.destination().notPorts().isEmpty()
        || !r.destination().notNamedPorts().isEmpty()
        || !r.source().notPorts().isEmpty()) {
      // th reads ports from any transport header: keep it to protocols that have ports
      parts.add("meta l4proto { 6, 17, 132, 136 }");
    }
    if (r.notProtocol() != null) parts.add("meta l4proto != " + r.notProtocol());
    if (r.icmp() != null) parts.add(icmp(r, r.icmp(), false));
    if (r.notIcmp() != null) parts.add(icmp(r, r.notIcmp(), true));
    return String.join(" ", parts);
  }

  private static String icmp(CompiledRule r, CompiledRule.Icmp i, boolean not) {
    String kw = r.protocol() != null && r.protocol() == Protocols.ICMPV6 ? "icmpv6" : "icmp";
    String op = not ? "!= " : "";
    if (i.code() == null) return kw + " type " + op + i.type();
    if (not) throw new UnrenderableException("notICMP with a code is not rendered");
    return kw + " type " + i.type() + " " + kw + " code " + i.code();
  }

  /** The alternatives (OR'd: one nft rule each) for one end of the packet, family {@code f}. */
  private static List<String> entity(
      EntityMatch m, IpFamily f, String addr, String portKw, CompiledRule r, Set<NftSet> sets) {
    String a = f.keyword + " " + addr;
    List<String> fixed = new ArrayList<>();
    List<Cidr> nets = ofFamily(m.nets(), f);
    if (!nets.isEmpty()) fixed.add(a + " " + nets(nets));
    List<Cidr> notNets = ofFamily(m.notNets(), f);
    if (!notNets.isEmpty()) fixed.add(a + " != " + nets(notNets));
    if (m.selector() != null) {
      NftSet s = new NftSet.Addresses(m.selector(), f);
      sets.add(s);
      fixed.add(a + " @" + s.name());
    }
    if (m.notSelector() != null) {
      NftSet s = new NftSet.Addresses(m.notSelector(), f);
      sets.add(s);
      fixed.add(a + " != @" + s.name());
    }
    if (!m.notPorts().isEmpty()) {
      fixed.add("th " + portKw + " != " + ports(m.notPorts()));
    }
    for (String n : m.notNamedPorts()) {
      NftSet s = namedSet(n, r, f);
      sets.add(s);
      fixed.add(a + " . meta l4proto . th " + portKw + " != @" + s.name());
    }
    String base = String.join(" ", fixed);
    if (!m.hasPorts()) return List.of(base);
    List<String> alts = new ArrayList<>();
    if (!m.ports().isEmpty()) alts.add(join(base, "th " + portKw + " " + ports(m.ports())));
    for (String n : m.namedPorts()) {
      NftSet s = namedSet(n, r, f);
      sets.add(s);
      alts.add(join(base, a + " . meta l4proto . th " + portKw + " @" + s.name()));
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

  // one value is written plainly, several as an anonymous set
  private static String nets(List<Cidr> nets) {
    if (nets.size() == 1) return nets.getFirst().toString();
    return "{ " + nets.stream().map(Cidr::toString).collect(Collectors.joining(", ")) + " }";
  }

  private static String ports(List<PortRange> ports) {
    if (ports.size() == 1) return ports.getFirst().nft();
    return "{ " + ports.stream().map(PortRange::nft).collect(Collectors.joining(", ")) + " }";
  }

  private static String join(String... parts) {
    StringBuilder sb = new StringBuilder();
    for (String p : parts) {
      if (p == null || p.isEmpty()) continue;
      if (!sb.isEmpty()) sb.append(' ');
      sb.append(p);
    }
    return sb.toString();
  }

  private static String hex(int v) {
    return "0x" + Integer.toHexString(v);
  }

  /** Comment text nft accepts: no quotes, at most 128 bytes. */
  static String comment(String s) {
    String c = s.replace('"', '\'').replace('\\', '/');
    return c.length() > 120 ? c.substring(0, 120) : c;
  }
}
