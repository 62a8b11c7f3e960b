package dev.netctl.agent.policy;

/** What a rule does once its matches hold: the statements netctl's rules use. */
public sealed interface NftStatement {

  /** The statement as nft writes it. */
  String text();

  /** {@code meta mark set meta mark & AND | OR}, written as nft lists it. */
  record MarkSet(int and, int or) implements NftStatement {
    @Override
    public String text() {
      if (and == ~or) return "meta mark set meta mark | " + NftMatch.hex(or);
      if (or == 0) return "meta mark set meta mark & " + NftMatch.hex(and);
      throw new IllegalStateException("mark & " + and + " | " + or + " is not rendered");
    }
  }

  /** {@code log prefix "..."}. */
  record Log(String prefix) implements NftStatement {
    @Override
    public String text() {
      return "log prefix \"" + prefix + "\"";
    }
  }

  /** A verdict; {@code chain} only for jump and goto. */
  record Verdict(Kind kind, String chain) implements NftStatement {
    /** The verdicts netctl uses, with their kernel codes ({@code enum nft_verdicts}). */
    public enum Kind {
      ACCEPT("accept", 1),
      DROP("drop", 0),
      RETURN("return", -5),
      JUMP("jump", -3),
      GOTO("goto", -4);

      final String keyword;
      final int code;

      Kind(String keyword, int code) {
        this.keyword = keyword;
        this.code = code;
      }
    }

    public static final Verdict ACCEPT = new Verdict(Kind.ACCEPT, null);
    public static final Verdict DROP = new Verdict(Kind.DROP, null);
    public static final Verdict RETURN = new Verdict(Kind.RETURN, null);

    public static Verdict jump(String chain) {
      return new Verdict(Kind.JUMP, chain);
    }

    @Override
    public String text() {
      return chain == null ? kind.keyword : kind.keyword + " " + chain;
    }
  }

  /** {@code iifname vmap @MAP} ({@code oifname} when not {@code input}): dispatch by interface. */
  record InterfaceVmap(boolean input, String map) implements NftStatement {
    @Override
    public String text() {
      return (input ? "iifname" : "oifname") + " vmap @" + map;
    }
  }
}
