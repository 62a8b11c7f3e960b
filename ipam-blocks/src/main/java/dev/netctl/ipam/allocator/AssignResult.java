package dev.netctl.ipam.allocator;

import java.util.List;

/**
 * The addresses one assign request got.
 *
 * @param ipv4 the IPv4 addresses, as many as requested
 * @param ipv6 the IPv6 addresses, as many as requested
 */
public record AssignResult(List<AssignedAddress> ipv4, List<AssignedAddress> ipv6) {
  public AssignResult {
    ipv4 = List.copyOf(ipv4);
    ipv6 = List.copyOf(ipv6);
  }
}
