package dev.netctl.datastore.model;

import java.util.Objects;

/**
 * The node agent's settings (Calico {@code FelixConfiguration}). The object named {@value
 * #DEFAULT_NAME} holds the cluster's values; {@code node.<nodename>} overrides them field by field
 * for one node; a flag given to {@code netctl node run} (or its environment variable) overrides
 * both, as Felix's environment does.
 *
 * @param metadata name and labels
 * @param spec the settings; absent fields are not set here
 */
public record FelixConfiguration(ObjectMeta metadata, FelixConfigurationSpec spec)
    implements Resource {

  /** Name of the cluster-wide object. */
  public static final String DEFAULT_NAME = "default";

  /** Prefix of per-node object names. */
  public static final String NODE_PREFIX = "node.";

  public FelixConfiguration {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
  }

  /** A configuration named {@code name} with the given spec. */
  public static FelixConfiguration of(String name, FelixConfigurationSpec spec) {
    return new FelixConfiguration(ObjectMeta.named(name), spec);
  }

  @Override
  public Kind<FelixConfiguration> kind() {
    return Kind.FELIX_CONFIGURATION;
  }

  @Override
  public FelixConfiguration withMetadata(ObjectMeta newMetadata) {
    return new FelixConfiguration(newMetadata, spec);
  }
}
