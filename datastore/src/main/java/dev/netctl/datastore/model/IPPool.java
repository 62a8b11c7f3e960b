package dev.netctl.datastore.model;

import java.util.Objects;

/**
 * An IP pool (Calico {@code IPPool}): a range of pod addresses and how they are routed.
 *
 * @param metadata name and labels
 * @param spec the pool's settings
 */
public record IPPool(ObjectMeta metadata, IPPoolSpec spec) implements Resource {
  public IPPool {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
  }

  /** A pool named {@code name} with the given spec. */
  public static IPPool of(String name, IPPoolSpec spec) {
    return new IPPool(ObjectMeta.named(name), spec);
  }

  @Override
  public Kind<IPPool> kind() {
    return Kind.IP_POOL;
  }

  @Override
  public IPPool withMetadata(ObjectMeta newMetadata) {
    return new IPPool(newMetadata, spec);
  }
}
