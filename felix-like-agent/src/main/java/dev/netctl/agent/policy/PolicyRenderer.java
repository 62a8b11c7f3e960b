package dev.netctl.agent.policy;

import dev.netctl.datastore.model.Cidr;
import java.util.ArrayList;
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

  /**
   * The rules of {@code p} for direction {@code d}.
   *
   * @throws UnrenderableException when a rule uses what the dataplane cannot express
   */
  public static Rendered policy(CompiledPolicy p, Direction d) {
    if (p.error() != null) return failClosed(p.error());
    List<String> out = new ArrayList<>();
    Set<NftSet> sets = new LinkedHashSet<>();
    String tag = p.id().toString();
    for (CompiledRule r : p.rules(d)) {
      String verdict =
          switch (r.action()) {
            case ALLOW -> "meta mark set meta mark | " + hex(ALLOW_MARK) + " return";
            case DENY -> "drop";
            case PASS -> "meta mark set meta mark | " + hex(PASS_MARK) + " return";
            case LOG -> "log prefix \"netctl " + Names.hash(tag) + " \"";
          };
      String common = protocol(r);
      for (String s : entity(r.source(), "saddr", "sport", r, sets)) {
        for (String t : entity(r.destination(), "daddr", "dport", r, sets)) {
          String m = join(common, s, t);
          out.add(join(m, verdict) + " comment \"" + comment(tag + " " + r.origin()) + "\"");
        }
      }
    }
    return new Rendered(List.copyOf(out), Set.copyOf(sets));
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

  /** The alternatives (OR'd: one nft rule each) for one end of the packet. */
  private static List<String> entity(
      EntityMatch m, String addr, String portKw, CompiledRule r, Set<NftSet> sets) {
    List<String> fixed = new ArrayList<>();
    if (!m.nets().isEmpty()) fixed.add("ip " + addr + " " + nets(m.nets()));
    if (!m.notNets().isEmpty()) fixed.add("ip " + addr + " != " + nets(m.notNets()));
    if (m.selector() != null) {
      NftSet s = new NftSet.Addresses(m.selector());
      sets.add(s);
      fixed.add("ip " + addr + " @" + s.name());
    }
    if (m.notSelector() != null) {
      NftSet s = new NftSet.Addresses(m.notSelector());
      sets.add(s);
      fixed.add("ip " + addr + " != @" + s.name());
    }
    if (!m.notPorts().isEmpty()) {
      fixed.add("th " + portKw + " != " + ports(m.notPorts()));
    }
    for (String n : m.notNamedPorts()) {
      NftSet s = namedSet(n, r);
      sets.add(s);
      fixed.add("ip " + addr + " . meta l4proto . th " + portKw + " != @" + s.name());
    }
    String base = String.join(" ", fixed);
    if (!m.hasPorts()) return List.of(base);
    List<String> alts = new ArrayList<>();
    if (!m.ports().isEmpty()) alts.add(join(base, "th " + portKw + " " + ports(m.ports())));
    for (String n : m.namedPorts()) {
      NftSet s = namedSet(n, r);
      sets.add(s);
      alts.add(join(base, "ip " + addr + " . meta l4proto . th " + portKw + " @" + s.name()));
    }
    return alts;
  }

  private static NftSet namedSet(String name, CompiledRule r) {
    if (r.protocol() == null) {
      throw new UnrenderableException("named port " + name + " needs a protocol in the rule");
    }
    return new NftSet.NamedPorts(name, r.protocol());
  }

  private static String nets(List<Cidr> nets) {
    for (Cidr c : nets) {
      if (!c.isIPv4()) throw new UnrenderableException("IPv6 nets are not rendered: " + c);
    }
    return "{ " + nets.stream().map(Cidr::toString).collect(Collectors.joining(", ")) + " }";
  }

  private static String ports(List<PortRange> ports) {
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
