package dev.netctl.bgp.policy;

/** What a policy statement (or a policy's default) decides for a route. */
public enum Verdict {
  /** Accept with the attributes rewritten so far; stop evaluating. */
  ACCEPT,
  /** Reject; stop evaluating. */
  REJECT,
  /** Keep the rewrites and go on to the next statement. */
  CONTINUE
}
