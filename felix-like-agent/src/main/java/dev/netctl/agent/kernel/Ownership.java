package dev.netctl.agent.kernel;

/**
 * How the agent marks what it owns in the kernel, so that a restart reconciles its own state by
 * mark-and-sweep and never touches routes, links or rules that other software made.
 */
public final class Ownership {
  /**
   * The rtnetlink protocol number on every route the agent (and the CNI plugin) programs. Not
   * Calico's 80 and not BIRD's 12, so neither is ever mistaken for ours.
   */
  public static final int ROUTE_PROTOCOL = 86;

  /** Host-side veth names of workloads start with this (Calico's prefix, so habits carry over). */
  public static final String IFACE_PREFIX = "cali";

  /** The IPv4 VXLAN device. */
  public static final String VXLAN_V4 = "vxlan.calico";

  /** The IPv6 VXLAN device. */
  public static final String VXLAN_V6 = "vxlan-v6.calico";

  /** The IP-in-IP device. */
  public static final String IPIP = "tunl0";

  private Ownership() {}
}
