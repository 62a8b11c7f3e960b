package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * A Calico Tier: a group of policies evaluated together. Tiers apply in ascending {@code order}; a
 * {@code Pass} rule skips the rest of its tier. The tier {@code default} exists without an object
 * and has Calico's order 1,000,000; a tier named by a policy but not defined sorts after it.
 *
 * @param metadata the tier's name
 * @param spec its order
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

  /**
   * The tier's spec.
   *
   * @param order lower orders apply first; absent sorts last
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Spec(Double order) {}
}
