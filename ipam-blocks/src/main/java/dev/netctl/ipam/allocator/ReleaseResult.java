package dev.netctl.ipam.allocator;

import java.net.InetAddress;
import java.util.List;

/**
 * What a release did.
 *
 * @param released addresses now free
 * @param stale addresses left alone because they were re-allocated since (sequence mismatch)
 */
public record ReleaseResult(List<InetAddress> released, List<InetAddress> stale) {
  public ReleaseResult {
    released = List.copyOf(released);
    stale = List.copyOf(stale);
  }
}
