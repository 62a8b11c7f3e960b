package dev.netctl.datastore.model;

import java.util.Objects;

/**
 * BGP settings (Calico {@code BGPConfiguration}). The object named {@value #DEFAULT_NAME} holds the
 * cluster defaults; {@code node.<nodename>} objects override them for one node.
 *
 * @param metadata name and labels
 * @param spec the settings; absent fields mean the defaults
 */
public record BGPConfiguration(ObjectMeta metadata, BGPConfigurationSpec spec) implements Resource {

  /** Name of the cluster-wide configuration object. */
  public static final String DEFAULT_NAME = "default";

  /** Prefix of per-node configuration object names. */
  public static final String NODE_PREFIX = "node.";

  public BGPConfiguration {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
  }

  /** A configuration named {@code name} with the given spec. */
  public static BGPConfiguration of(String name, BGPConfigurationSpec spec) {
    return new BGPConfiguration(ObjectMeta.named(name), spec);
  }

  /**
   * What the cluster runs with when no {@code default} object exists: every default spelled out (AS
   * 64512, node-to-node mesh on, port 179).
   */
  public static BGPConfiguration clusterDefaults() {
    return of(DEFAULT_NAME, BGPConfigurationSpec.empty().withDefaults());
  }

  @Override
  public Kind<BGPConfiguration> kind() {
    return Kind.BGP_CONFIGURATION;
  }

  @Override
  public BGPConfiguration withMetadata(ObjectMeta newMetadata) {
    return new BGPConfiguration(newMetadata, spec);
  }
}
