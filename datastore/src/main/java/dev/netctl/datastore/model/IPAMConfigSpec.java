package dev.netctl.datastore.model;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Cluster-wide IPAM behaviour (Calico {@code IPAMConfigurationSpec}). Every field is always present
 * once constructed; absent input fields take the defaults.
 *
 * @param strictAffinity never borrow addresses from other nodes' blocks (default false)
 * @param autoAllocateBlocks claim new blocks when a node's blocks are full (default true)
 * @param maxBlocksPerHost blocks one node may own, 0 = unlimited (default 0)
 */
@JsonPropertyOrder({"strictAffinity", "autoAllocateBlocks", "maxBlocksPerHost"})
public record IPAMConfigSpec(
    Boolean strictAffinity, Boolean autoAllocateBlocks, Integer maxBlocksPerHost) {

  public IPAMConfigSpec {
    if (strictAffinity == null) strictAffinity = false;
    if (autoAllocateBlocks == null) autoAllocateBlocks = true;
    if (maxBlocksPerHost == null) maxBlocksPerHost = 0;
  }

  /** Every field at its default. */
  public static IPAMConfigSpec defaults() {
    return new IPAMConfigSpec(null, null, null);
  }
}
