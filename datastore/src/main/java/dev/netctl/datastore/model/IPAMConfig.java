package dev.netctl.datastore.model;

import java.util.Objects;

/**
 * The IPAM configuration (Calico {@code IPAMConfiguration}); only one object, named {@value
 * #DEFAULT_NAME}, exists.
 *
 * @param metadata name {@value #DEFAULT_NAME}
 * @param spec the settings
 */
public record IPAMConfig(ObjectMeta metadata, IPAMConfigSpec spec) implements Resource {

  /** The only allowed name. */
  public static final String DEFAULT_NAME = "default";

  public IPAMConfig {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
  }

  /** The {@code default} object with the given spec. */
  public static IPAMConfig of(IPAMConfigSpec spec) {
    return new IPAMConfig(ObjectMeta.named(DEFAULT_NAME), spec);
  }

  /** What IPAM runs with when no object is stored. */
  public static IPAMConfig defaults() {
    return of(IPAMConfigSpec.defaults());
  }

  @Override
  public Kind<IPAMConfig> kind() {
    return Kind.IPAM_CONFIG;
  }

  @Override
  public IPAMConfig withMetadata(ObjectMeta newMetadata) {
    return new IPAMConfig(newMetadata, spec);
  }
}
