package dev.netctl.ipam.store;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one handle holds (kind {@code IPAMHandle}, name = handle ID): how many addresses in each
 * block, so release-by-handle reads exactly the blocks it must touch instead of scanning.
 *
 * @param handleID the handle, e.g. {@code k8s-pod-network.<containerID>}
 * @param block block CIDR to number of addresses the handle holds there (never zero)
 */
public record IpamHandle(String handleID, Map<String, Integer> block) {
  public IpamHandle {
    Objects.requireNonNull(handleID, "handleID");
    block = block == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(block));
  }

  /** This handle with {@code delta} more (or fewer) addresses in {@code cidr}. */
  public IpamHandle plus(String cidr, int delta) {
    TreeMap<String, Integer> m = new TreeMap<>(block);
    int n = m.getOrDefault(cidr, 0) + delta;
    if (n <= 0) m.remove(cidr);
    else m.put(cidr, n);
    return new IpamHandle(handleID, m);
  }

  /** Total addresses held. */
  public int total() {
    return block.values().stream().mapToInt(Integer::intValue).sum();
  }
}
