package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * A Calico Tier: a group of policies evaluated together. Tiers apply in ascending {@code order}; a
 * {@code Pass} rule skips the rest of its tier. The tier {@code default} exists without an object
 * and has Calico's order 1,000,000; a tier named by a policy but not defined sorts after it.
 *
 * @param metadata the tier's name
 * @param spec its order and default action
 */
public record Tier(ObjectMeta metadata, Spec spec) implements Resource {
  /** The tier of policies that name none, and of every Kubernetes NetworkPolicy. */
  public static final String DEFAULT = "default";

  /** Calico's order of the default tier. */
  public static final double DEFAULT_ORDER = 1_000_000;

  public Tier {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
  }

  @Override
  public Kind<Tier> kind() {
    return Kind.TIER;
  }

  @Override
  public Tier withMetadata(ObjectMeta newMetadata) {
    return new Tier(newMetadata, spec);
  }

  /** What a tier does when it applies but nothing in it decided, unless it says otherwise. */
  public static final String DENY = "Deny";

  /** The other {@code defaultAction}: the next tier decides. */
  public static final String PASS = "Pass";

  /**
   * The tier's spec.
   *
   * @param order lower orders apply first; absent sorts last
   * @param defaultAction what happens to a packet of an endpoint some policy of the tier applies to
   *     when no rule of the tier allowed, denied or passed it (Calico 3.27+): {@code Deny} (absent:
   *     the default) drops it, {@code Pass} lets the next tier decide
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"order", "defaultAction"})
  public record Spec(Double order, String defaultAction) {
    /** Whether the end of the tier passes to the next tier instead of dropping. */
    public boolean passesAtEnd() {
      return PASS.equals(defaultAction);
    }
  }
}
