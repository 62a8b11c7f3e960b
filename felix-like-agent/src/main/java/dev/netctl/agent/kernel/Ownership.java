package dev.netctl.agent.kernel;

/**
 * How the agent marks kernel state as its own, so a restart reconciles by mark-and-sweep without
 * touching routes or links other software made (Felix does the same with its protocol number and
 * the {@code cali} prefix).
 */
public final class Ownership {

  /** The {@code proto} of every route the agent and the CNI plugin write. */
  public static final int ROUTE_PROTOCOL = 86;

  /** The prefix of every host-side pod interface. */
  public static final String IFACE_PREFIX = "cali";

  private Ownership() {}
}
