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

  /** How much of a command a message shows (a command with many elements can be megabytes). */
  static final int SHOWN = 200;

  /**
   * The first commands as {@code nft -f} lines, cut to {@link #SHOWN} characters: for a message,
   * without writing the whole script.
   */
  String excerpt() {
    String t = family + " " + table;
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < ops.size() && sb.length() <= SHOWN; i++) sb.append(ops.get(i).text(t));
    return cut(sb.toString().strip());
  }

  /** {@code s} cut to {@link #SHOWN} characters, with an ellipsis when it was longer. */
  static String cut(String s) {
    return s.length() <= SHOWN ? s : s.substring(0, SHOWN) + "…";
  }

  /** The transaction as an {@code nft -f} script. */
  public String text() {
    String t = family + " " + table;
    StringBuilder sb = new StringBuilder(Math.max(64, ops.size() * 120));
    for (NftOp op : ops) sb.append(op.text(t));
    return sb.toString();
  }
}
