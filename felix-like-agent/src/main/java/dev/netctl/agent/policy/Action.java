package dev.netctl.agent.policy;

/** What a matching rule does (Calico's rule actions). */
public enum Action {
  /** Accept the packet for this direction. */
  ALLOW,
  /** Drop the packet. */
  DENY,
  /** Skip the rest of this tier: the next tier decides. */
  PASS,
  /** Log the packet and go on with the next rule. */
  LOG;

  /** Parses Calico's spelling ({@code Allow}...). */
  public static Action parse(String s) {
    return switch (s) {
      case "Allow" -> ALLOW;
      case "Deny" -> DENY;
      case "Pass" -> PASS;
      case "Log" -> LOG;
      default -> throw new IllegalArgumentException("unknown action " + s);
    };
  }
}
