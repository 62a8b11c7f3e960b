package dev.netctl.datastore.model;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown when resources break validation rules; the message lists every violation, one per line,
 * each naming the resource, the field, the value and the rule.
 */
public final class ValidationException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The violations, never empty. */
  private final transient List<Violation> violations;

  /** Wraps one or more violations. */
  public ValidationException(List<Violation> violations) {
    super(violations.stream().map(Violation::message).collect(Collectors.joining("\n")));
    if (violations.isEmpty()) throw new IllegalArgumentException("no violations");
    this.violations = List.copyOf(violations);
  }

  /** Every broken rule. */
  public List<Violation> violations() {
    return violations;
  }
}
