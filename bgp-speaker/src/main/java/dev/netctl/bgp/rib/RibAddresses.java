package dev.netctl.bgp.rib;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Small address helpers shared by the table layer (no name resolution ever happens here). */
final class RibAddresses {
  private RibAddresses() {}

  /** The IPv4 address for a 32-bit value. */
  static Inet4Address v4(int value) {
    try {
      return (Inet4Address)
          InetAddress.getByAddress(
              new byte[] {
                (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
              });
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Unsigned lexicographic order of addresses; shorter (IPv4) before longer (IPv6). */
  static int compare(InetAddress a, InetAddress b) {
    byte[] x = a.getAddress();
    byte[] y = b.getAddress();
    if (x.length != y.length) {
      return Integer.compare(x.length, y.length);
    }
    return java.util.Arrays.compareUnsigned(x, y);
  }
}
