package dev.netctl.datastore.model;

import java.util.Objects;

/**
 * A Calico Profile. netctl uses the profiles {@code kns.<namespace>} to carry a Kubernetes
 * namespace's labels ({@code spec.labelsToApply}), so that namespace selectors of policies can be
 * evaluated without the Kubernetes API. Profiles allow all traffic, as Calico's {@code kns.*}
 * profiles do: they decide only for endpoints no policy applies to.
 *
 * @param metadata the name, {@code kns.<namespace>} for a namespace
 * @param spec the labels to apply
 */
public record Profile(ObjectMeta metadata, ProfileSpec spec) implements Resource {
  /** The prefix of the profile that stands for a Kubernetes namespace. */
  public static final String NAMESPACE_PREFIX = "kns.";

  /**
   * The prefix of the profile that stands for a Kubernetes service account: {@code
   * ksa.<namespace>.<name>}, its labels in {@code labelsToApply}.
   */
  public static final String SERVICE_ACCOUNT_PREFIX = "ksa.";

  public Profile {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
  }

  @Override
  public Kind<Profile> kind() {
    return Kind.PROFILE;
  }

  @Override
  public Profile withMetadata(ObjectMeta newMetadata) {
    return new Profile(newMetadata, spec);
  }
}
