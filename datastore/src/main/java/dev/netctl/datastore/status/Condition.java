package dev.netctl.datastore.status;

import dev.netctl.datastore.model.Violation;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A Kubernetes-style status condition, as {@code kubectl describe} shows it.
 *
 * @param type what it is about; netctl writes {@value #VALID}
 * @param status {@code True} or {@code False}
 * @param reason a CamelCase cause ({@code Accepted}, {@code InvalidSpec}, {@code Overlaps})
 * @param message what a person must fix: the object, the field, the value and the rule
 */
public record Condition(String type, String status, String reason, String message) {
  /** The condition type the agent and controller judge objects by. */
  public static final String VALID = "Valid";

  /** Whether this condition says the object is refused. */
  public boolean refused() {
    return "False".equals(status);
  }

  /** The object is used. */
  public static Condition accepted() {
    return new Condition(VALID, "True", "Accepted", "netctl uses this object");
  }

  /** The object is refused for these violations (an overlap is reported as such). */
  public static Condition refused(List<Violation> violations) {
    boolean overlap =
        violations.stream()
            .allMatch(v -> v.field().equals("spec.cidr") && v.rule().contains("must not overlap"));
    return new Condition(
        VALID,
        "False",
        overlap ? "Overlaps" : "InvalidSpec",
        "refused, the dataplane ignores it: "
            + violations.stream().map(Violation::message).collect(Collectors.joining("; ")));
  }
}
