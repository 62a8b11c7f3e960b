package dev.netctl.bgp.policy;

import dev.netctl.bgp.codec.Prefix;
import dev.netctl.bgp.rib.AttributeSet;
import dev.netctl.bgp.rib.PolicyContext;
import dev.netctl.bgp.rib.RoutePolicy;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable import or export policy: statements evaluated in order; the first matching statement
 * whose verdict is ACCEPT or REJECT ends evaluation, CONTINUE keeps its rewrites and goes on; when
 * no statement decides, {@code defaultVerdict} applies to the rewritten route.
 *
 * <p>Applied as a pure function; value equality lets peers with equal export policies share an
 * update group.
 *
 * @param name the policy's name, for messages
 * @param statements the statements in order
 * @param defaultVerdict ACCEPT or REJECT
 */
public record Policy(String name, List<Statement> statements, Verdict defaultVerdict)
    implements RoutePolicy {
  /** Validates and copies. */
  public Policy {
    Objects.requireNonNull(name, "name");
    statements = List.copyOf(statements);
    if (defaultVerdict == null || defaultVerdict == Verdict.CONTINUE) {
      throw new IllegalArgumentException(
          "policy '" + name + "' default verdict must be ACCEPT or REJECT, got " + defaultVerdict);
    }
  }

  @Override
  public Optional<AttributeSet> apply(
      Prefix prefix, AttributeSet attributes, PolicyContext context) {
    AttributeSet current = attributes;
    for (Statement s : statements) {
      if (!s.matches(prefix, current)) {
        continue;
      }
      for (Action a : s.actions()) {
        current = a.apply(current, context);
      }
      switch (s.verdict()) {
        case ACCEPT -> {
          return Optional.of(current);
        }
        case REJECT -> {
          return Optional.empty();
        }
        case CONTINUE -> {}
      }
    }
    return defaultVerdict == Verdict.ACCEPT ? Optional.of(current) : Optional.empty();
  }
}
