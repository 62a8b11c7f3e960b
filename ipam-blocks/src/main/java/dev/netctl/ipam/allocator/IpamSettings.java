package dev.netctl.ipam.allocator;

/**
 * Cluster-wide IPAM knobs, Calico's IPAMConfig.
 *
 * @param strictAffinity never borrow addresses from another node's block
 * @param autoAllocateBlocks claim new blocks on demand
 * @param maxBlocksPerHost how many blocks one node may own; 0 means unlimited
 */
public record IpamSettings(
    boolean strictAffinity, boolean autoAllocateBlocks, int maxBlocksPerHost) {
  public static final IpamSettings DEFAULT = new IpamSettings(false, true, 0);

  public IpamSettings {
    if (maxBlocksPerHost < 0) {
      throw new IllegalArgumentException(
          "IPAMConfig maxBlocksPerHost " + maxBlocksPerHost + " must be >= 0 (0 = unlimited)");
    }
  }
}
