package dev.netctl.agent.dataplane;

import dev.netctl.agent.kernel.Kernel;
import dev.netctl.datastore.model.Cidr;
import java.util.List;

/**
 * NAT outgoing (Calico's {@code natOutgoing}): traffic from a pool that has it, to a destination in
 * no pool, leaves with the node's address ({@code masquerade fully-random}, so two pods' flows
 * never fight over a source port). Pod-to-pod traffic keeps the pod address.
 *
 * <p>Its own tables ({@code ip netctl-nat}, {@code ip6 netctl-nat}) are replaced whole in one
 * transaction when the pools change: they hold two interval sets and one rule, however many pods.
 */
public final class NatManager {

  static final String TABLE = "netctl-nat";

  private final Kernel kernel;
  private List<Cidr> nat = List.of();
  private List<Cidr> all = List.of();
  private String programmed;

  public NatManager(Kernel kernel) {
    this.kernel = kernel;
  }

  /** The pools to masquerade and every pool. */
  public void desired(List<Cidr> natSources, List<Cidr> allPools) {
    this.nat = natSources;
    this.all = allPools;
  }

  /** Makes the next apply rewrite the tables. */
  public void resync() {
    programmed = null;
  }

  /** Programs the tables if they changed. */
  public void apply() {
    String script = script(nat, all);
    if (script.equals(programmed)) return;
    kernel.nft(script);
    programmed = script;
  }

  /** The nft transaction that replaces both tables. */
  static String script(List<Cidr> nat, List<Cidr> all) {
    StringBuilder sb = new StringBuilder();
    for (String family : new String[] {"ip", "ip6"}) {
      boolean v4 = family.equals("ip");
      List<Cidr> natF = nat.stream().filter(c -> c.isIPv4() == v4).toList();
      List<Cidr> allF = all.stream().filter(c -> c.isIPv4() == v4).toList();
      // Declaring then deleting makes the delete succeed whether or not the table existed.
      sb.append("table ").append(family).append(' ').append(TABLE).append(" {}\n");
      sb.append("delete table ").append(family).append(' ').append(TABLE).append('\n');
      if (natF.isEmpty()) continue;
      String type = v4 ? "ipv4_addr" : "ipv6_addr";
      String match = v4 ? "ip" : "ip6";
      sb.append("table ").append(family).append(' ').append(TABLE).append(" {\n");
      sb.append("  set nat-pools { type ").append(type).append("; flags interval; elements = { ");
      sb.append(join(natF)).append(" } }\n");
      sb.append("  set all-pools { type ").append(type).append("; flags interval; elements = { ");
      sb.append(join(allF)).append(" } }\n");
      sb.append("  chain postrouting {\n");
      sb.append("    type nat hook postrouting priority srcnat; policy accept;\n");
      sb.append("    ").append(match).append(" saddr @nat-pools ").append(match);
      sb.append(" daddr != @all-pools masquerade fully-random\n");
      sb.append("  }\n}\n");
    }
    return sb.toString();
  }

  private static String join(List<Cidr> cidrs) {
    StringBuilder sb = new StringBuilder();
    for (Cidr c : cidrs) {
      if (!sb.isEmpty()) sb.append(", ");
      sb.append(c);
    }
    return sb.toString();
  }
}
