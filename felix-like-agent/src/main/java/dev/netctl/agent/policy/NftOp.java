package dev.netctl.agent.policy;

import java.util.List;

/**
 * One command of an nftables transaction on netctl's table. Its text is the {@code nft -f} line;
 * {@link NftBatch} encodes the same command as nf_tables netlink messages.
 */
public sealed interface NftOp {

  /** The command as an {@code nft -f} line (with its newline), for table {@code t}. */
  String text(String t);

  /** {@code add table}. */
  record AddTable() implements NftOp {
    @Override
    public String text(String t) {
      return "add table " + t + "\n";
    }
  }

  /** A netfilter hook a base chain is attached to, with its number in {@code NFTA_HOOK_HOOKNUM}. */
  enum Hook {
    INPUT("input", 1),
    FORWARD("forward", 2);

    final String text;
    final int number;

    Hook(String text, int number) {
      this.text = text;
      this.number = number;
    }
  }

  /**
   * {@code add chain}; with a {@code hook}, a base chain on it (type filter, priority filter,
   * policy accept); null for a regular chain.
   */
  record AddChain(String name, Hook hook) implements NftOp {
    /** A regular chain, reached only by jumps. */
    AddChain(String name) {
      this(name, null);
    }

    @Override
    public String text(String t) {
      String spec =
          hook == null
              ? ""
              : " { type filter hook " + hook.text + " priority filter ; policy accept ; }";
      return "add chain " + t + " " + name + spec + "\n";
    }
  }

  /** {@code add set} ({@code add map} when the type has a {@code : data} part). */
  record AddSet(String name, String type) implements NftOp {
    @Override
    public String text(String t) {
      return "add " + kind(type) + " " + t + " " + name + " { type " + type + " ; }\n";
    }
  }

  /** {@code flush chain}: deletes its rules. */
  record FlushChain(String name) implements NftOp {
    @Override
    public String text(String t) {
      return "flush chain " + t + " " + name + "\n";
    }
  }

  /** {@code delete chain} (empty, and nothing jumps to it). */
  record DeleteChain(String name) implements NftOp {
    @Override
    public String text(String t) {
      return "delete chain " + t + " " + name + "\n";
    }
  }

  /** {@code flush set} / {@code flush map}: deletes its elements. */
  record FlushSet(String name, String type) implements NftOp {
    @Override
    public String text(String t) {
      return "flush " + kind(type) + " " + t + " " + name + "\n";
    }
  }

  /** {@code delete set} (nothing refers to it). */
  record DeleteSet(String name) implements NftOp {
    @Override
    public String text(String t) {
      return "delete set " + t + " " + name + "\n";
    }
  }

  /**
   * {@code add element} or {@code delete element}.
   *
   * @param elements as nft writes them ({@code 10.0.0.1 . 6 . 80}, {@code "cali1" : goto c})
   */
  record Elements(boolean add, String set, String type, List<String> elements) implements NftOp {
    public Elements {
      elements = List.copyOf(elements);
    }

    /** Appends one set's changes to {@code ops}: its deletions, then its additions. */
    static void of(NftCommand.ElementDelta d, List<NftOp> ops) {
      if (!d.delete().isEmpty()) ops.add(new Elements(false, d.set(), d.type(), d.delete()));
      if (!d.add().isEmpty()) ops.add(new Elements(true, d.set(), d.type(), d.add()));
    }

    @Override
    public String text(String t) {
      return (add ? "add" : "delete")
          + " element "
          + t
          + " "
          + set
          + " { "
          + String.join(", ", elements)
          + " }\n";
    }
  }

  /** {@code add rule}: appended to the chain. */
  record AddRule(String chain, NftRule rule) implements NftOp {
    @Override
    public String text(String t) {
      return "add rule " + t + " " + chain + " " + rule.text() + "\n";
    }
  }

  private static String kind(String type) {
    return type.contains(" : ") ? "map" : "set";
  }
}
