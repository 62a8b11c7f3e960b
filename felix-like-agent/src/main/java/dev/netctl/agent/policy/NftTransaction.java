package dev.netctl.agent.policy;

import java.util.List;

/**
 * Commands on one table applied as one atomic transaction: all or nothing.
 *
 * @param family the table's family ({@code inet})
 * @param table the table's name
 * @param ops the commands, in order
 */
public record NftTransaction(String family, String table, List<NftOp> ops) {
  public NftTransaction {
    ops = List.copyOf(ops);
  }

  /** Whether there is nothing to do. */
  public boolean isEmpty() {
    return ops.isEmpty();
  }

  /** The transaction as an {@code nft -f} script. */
  public String text() {
    String t = family + " " + table;
    StringBuilder sb = new StringBuilder(Math.max(64, ops.size() * 120));
    for (NftOp op : ops) sb.append(op.text(t));
    return sb.toString();
  }
}
