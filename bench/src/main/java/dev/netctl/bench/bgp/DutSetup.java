package dev.netctl.bench.bgp;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.List;

/**
 * What every device under test is configured with: one iBGP AS, its own loopback address and port,
 * and every tester address as a passive route-reflector client (the testers connect, so no daemon
 * ever dials out).
 *
 * @param address the DUT's listen address and router id
 * @param port the DUT's BGP port
 * @param asn the AS shared by the DUT and all testers
 * @param clients tester addresses, each a route-reflector client
 * @param routes how many prefixes the DUT will hold at most (to size a JVM heap)
 * @param dir a private temp dir for config, sockets and logs
 */
record DutSetup(
    Inet4Address address, int port, long asn, List<Inet4Address> clients, int routes, Path dir) {
  DutSetup {
    clients = List.copyOf(clients);
  }

  /** The DUT address as text. */
  String ip() {
    return address.getHostAddress();
  }
}
