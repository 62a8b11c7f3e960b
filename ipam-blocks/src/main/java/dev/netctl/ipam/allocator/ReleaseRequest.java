package dev.netctl.ipam.allocator;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One address to release. The optional guards make a late release harmless: with a sequence number,
 * an address reused since is left alone.
 *
 * @param address the address
 * @param sequenceNumber the sequence number it was assigned at, or null to skip the check
 * @param handle the handle expected to hold it, or null to skip the check
 */
public record ReleaseRequest(InetAddress address, Long sequenceNumber, String handle) {
  public ReleaseRequest {
    Objects.requireNonNull(address, "address");
  }

  public static ReleaseRequest of(InetAddress address) {
    return new ReleaseRequest(address, null, null);
  }

  public static ReleaseRequest of(AssignedAddress a) {
    return new ReleaseRequest(a.address(), a.sequenceNumber(), null);
  }
}
