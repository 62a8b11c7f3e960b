package dev.netctl.agent.policy;

import java.util.List;

/**
 * One nftables rule as netctl writes it: matches, then statements, then an optional comment. Its
 * {@link #text()} is what {@code nft -f} reads (the fallback path, display and tests); {@link
 * NftRuleEncoder} turns the same record into nf_tables expressions for the netlink path, so the two
 * cannot drift apart and nothing parses our own text back.
 *
 * @param matches the matches, in order (all must hold)
 * @param statements what the rule does when they hold, in order
 * @param comment the rule's comment, or null
 */
public record NftRule(List<NftMatch> matches, List<NftStatement> statements, String comment) {
  public NftRule {
    matches = List.copyOf(matches);
    statements = List.copyOf(statements);
  }

  /** A rule with these matches and statements and no comment. */
  public static NftRule of(List<NftMatch> matches, NftStatement... statements) {
    return new NftRule(matches, List.of(statements), null);
  }

  /** This rule with {@code c} as its comment. */
  public NftRule withComment(String c) {
    return new NftRule(matches, statements, c);
  }

  /** The rule as nft writes it, without {@code add rule <table> <chain>}. */
  public String text() {
    StringBuilder sb = new StringBuilder(96);
    for (NftMatch m : matches) append(sb, m.text());
    for (NftStatement s : statements) append(sb, s.text());
    if (comment != null) append(sb, "comment \"" + comment + "\"");
    return sb.toString();
  }

  private static void append(StringBuilder sb, String part) {
    if (part.isEmpty()) return;
    if (!sb.isEmpty()) sb.append(' ');
    sb.append(part);
  }

  @Override
  public String toString() {
    return text();
  }
}
