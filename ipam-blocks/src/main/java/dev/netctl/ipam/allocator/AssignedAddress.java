package dev.netctl.ipam.allocator;

import dev.netctl.ipam.block.Cidr;
import java.net.InetAddress;

/**
 * An address handed out, with what a later release needs to prove it still means this allocation.
 *
 * @param address the address
 * @param block the block it came from
 * @param sequenceNumber the block sequence number it was allocated at
 */
public record AssignedAddress(InetAddress address, Cidr block, long sequenceNumber) {
  @Override
  public String toString() {
    return Cidr.format(address) + "@" + sequenceNumber;
  }
}
