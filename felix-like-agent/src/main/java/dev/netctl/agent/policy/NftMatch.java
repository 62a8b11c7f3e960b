package dev.netctl.agent.policy;

import dev.netctl.datastore.model.Cidr;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The matches netctl's rules use, each with its nft text. One value is written plainly, several as
 * an anonymous set, as nft writes them.
 */
public sealed interface NftMatch {

  /** The match as nft writes it. */
  String text();

  /** {@code meta mark & MASK == VALUE}. */
  record Mark(int mask, int value) implements NftMatch {
    @Override
    public String text() {
      return "meta mark & " + hex(mask) + " == " + hex(value);
    }
  }

  /** {@code meta l4proto P}, {@code != P} or {@code { P, Q }}. */
  record L4proto(boolean negated, List<Integer> protocols) implements NftMatch {
    public L4proto {
      protocols = List.copyOf(protocols);
      if (protocols.isEmpty()) throw new IllegalArgumentException("no protocol");
    }

    @Override
    public String text() {
      return "meta l4proto " + (negated ? "!= " : "") + values(protocols, String::valueOf);
    }
  }

  /** {@code meta nfproto ipv4|ipv6}: a rule of one family with no address match of it. */
  record Nfproto(IpFamily family) implements NftMatch {
    @Override
    public String text() {
      return "meta nfproto " + family.nfproto;
    }
  }

  /** {@code icmp type T [icmp code C]} or {@code icmp type != T} ({@code icmpv6} for v6). */
  record Icmp(boolean v6, boolean negated, int type, Integer code) implements NftMatch {
    public Icmp {
      if (negated && code != null) throw new IllegalArgumentException("negated icmp with a code");
    }

    @Override
    public String text() {
      String kw = v6 ? "icmpv6" : "icmp";
      if (negated) return kw + " type != " + type;
      return code == null
          ? kw + " type " + type
          : kw + " type " + type + " " + kw + " code " + code;
    }
  }

  /**
   * {@code icmp type T icmp code != C} ({@code icmpv6} for v6): with {@code icmp type != T} the two
   * alternatives of Calico's {@code notICMP} with a type and a code.
   */
  record IcmpCodeNot(boolean v6, int type, int code) implements NftMatch {
    @Override
    public String text() {
      String kw = v6 ? "icmpv6" : "icmp";
      return kw + " type " + type + " " + kw + " code != " + code;
    }
  }

  /** {@code ip saddr NET}, {@code != NET} or {@code { NET, NET }} ({@code ip6}, {@code daddr}). */
  record Nets(IpFamily family, boolean source, boolean negated, List<Cidr> nets)
      implements NftMatch {
    public Nets {
      nets = List.copyOf(nets);
      if (nets.isEmpty()) throw new IllegalArgumentException("no net");
    }

    @Override
    public String text() {
      return addr(family, source) + " " + (negated ? "!= " : "") + values(nets, Cidr::toString);
    }
  }

  /** {@code ip saddr @SET} or {@code != @SET}. */
  record AddressSet(IpFamily family, boolean source, boolean negated, String set)
      implements NftMatch {
    @Override
    public String text() {
      return addr(family, source) + " " + (negated ? "!= @" : "@") + set;
    }
  }

  /** {@code ip daddr . meta l4proto . th dport @SET} (or {@code != @SET}): a named port. */
  record NamedPortSet(IpFamily family, boolean source, boolean negated, String set)
      implements NftMatch {
    @Override
    public String text() {
      return addr(family, source)
          + " . meta l4proto . th "
          + (source ? "sport" : "dport")
          + (negated ? " != @" : " @")
          + set;
    }
  }

  /** {@code th dport P}, {@code != P}, a range {@code A-B} or a set of them ({@code sport}). */
  record Ports(boolean source, boolean negated, List<PortRange> ports) implements NftMatch {
    public Ports {
      ports = List.copyOf(ports);
      if (ports.isEmpty()) throw new IllegalArgumentException("no port");
    }

    @Override
    public String text() {
      return "th "
          + (source ? "sport " : "dport ")
          + (negated ? "!= " : "")
          + values(ports, PortRange::nft);
    }
  }

  /** {@code ct state S,S}: the conntrack states, any of them. */
  record CtState(List<String> states) implements NftMatch {
    public CtState {
      states = List.copyOf(states);
      for (String s : states) bit(s);
    }

    /** The state's bit in the kernel's ct state. */
    static int bit(String state) {
      return switch (state) {
        case "invalid" -> 1;
        case "established" -> 2;
        case "related" -> 4;
        case "new" -> 8;
        default -> throw new IllegalArgumentException("ct state " + state);
      };
    }

    @Override
    public String text() {
      return "ct state " + String.join(",", states);
    }
  }

  /** {@code iifname "PREFIX*"} ({@code oifname} when not {@code input}). */
  record InterfacePrefix(boolean input, String prefix) implements NftMatch {
    @Override
    public String text() {
      return (input ? "iifname" : "oifname") + " \"" + prefix + "*\"";
    }
  }

  private static String addr(IpFamily f, boolean source) {
    return f.keyword + (source ? " saddr" : " daddr");
  }

  private static <T> String values(List<T> values, java.util.function.Function<T, String> text) {
    if (values.size() == 1) return text.apply(values.getFirst());
    return values.stream().map(text).collect(Collectors.joining(", ", "{ ", " }"));
  }

  /** {@code 0x...} as netctl writes marks. */
  static String hex(int v) {
    return "0x" + Integer.toHexString(v);
  }
}
