package dev.netctl.ipam.store;

import java.util.Objects;

/**
 * A node's claim on a block (kind {@code BlockAffinity}, name {@code <node>-<block name>}).
 *
 * <p>Only a {@link State#CONFIRMED} affinity whose block names the same node is ownership. A {@link
 * State#PENDING} one is a claim in progress (or abandoned by a writer that died), and a {@link
 * State#PENDING_DELETION} one is being released.
 *
 * @param node the claiming node
 * @param cidr the block
 * @param state where the claim protocol stands
 */
public record BlockAffinity(String node, String cidr, State state) {

  /** Claim protocol states. */
  public enum State {
    PENDING,
    CONFIRMED,
    PENDING_DELETION
  }

  public BlockAffinity {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(cidr, "cidr");
    Objects.requireNonNull(state, "state");
  }

  public BlockAffinity withState(State s) {
    return new BlockAffinity(node, cidr, s);
  }
}
