package dev.netctl.bgp.policy;

import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.rib.AttributeSet;
import java.util.List;
import java.util.Objects;

/**
 * One policy term: when every condition holds, apply the actions in order, then decide.
 *
 * @param conditions all must hold (an empty list always holds)
 * @param actions rewrites applied when the conditions hold
 * @param verdict what to do after the rewrites
 */
public record Statement(List<Match> conditions, List<Action> actions, Verdict verdict) {
  /** Validates and copies. */
  public Statement {
    conditions = List.copyOf(conditions);
    actions = List.copyOf(actions);
    Objects.requireNonNull(verdict, "verdict");
  }

  /** Whether every condition holds for the route. */
  public boolean matches(Prefix prefix, AttributeSet attributes) {
    for (Match m : conditions) {
      if (!m.test(prefix, attributes)) {
        return false;
      }
    }
    return true;
  }
}
