package dev.netctl.datastore.model;

import java.util.Objects;

/**
 * Route filters for BGP peerings (Calico {@code BGPFilter}): ordered accept/reject rules on the
 * routes a peering imports and exports, per address family. A {@link BGPPeer} names the filters it
 * uses in {@code spec.filters}.
 *
 * @param metadata the filter's name
 * @param spec the rules
 */
public record BGPFilter(ObjectMeta metadata, BGPFilterSpec spec) implements Resource {
  public BGPFilter {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
  }

  /** A filter named {@code name} with the given spec. */
  public static BGPFilter of(String name, BGPFilterSpec spec) {
    return new BGPFilter(ObjectMeta.named(name), spec);
  }

  @Override
  public Kind<BGPFilter> kind() {
    return Kind.BGP_FILTER;
  }

  @Override
  public BGPFilter withMetadata(ObjectMeta newMetadata) {
    return new BGPFilter(newMetadata, spec);
  }
}
