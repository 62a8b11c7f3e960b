package dev.netctl.agent.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.agent.kernel.Link;
import dev.netctl.datastore.model.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressDetectorTest {

  private final List<Link> links =
      List.of(
          new Link(
              "lo", 1, 65536, null, true, null, List.of(Cidr.parseAddressOrCidr("127.0.0.1/8"))),
          new Link("cali123", 5, 1500, "ee:ee:ee:ee:ee:ee", true, "veth", List.of()),
          new Link(
              "vxlan.calico", 6, 1450, null, true, "vxlan", List.of(Cidr.parse("10.244.1.1/32"))),
          new Link(
              "eth0",
              2,
              1500,
              null,
              true,
              "veth",
              List.of(
                  Cidr.parse("10.0.0.5/24"), Cidr.parse("fe80::1/64"), Cidr.parse("fd00:1::5/64"))),
          new Link("eth1", 3, 1500, null, true, null, List.of(Cidr.parse("192.168.7.2/23"))));

  @Test
  void firstFoundSkipsLoopbackWorkloadsAndTunnelsAndKeepsThePrefixLength() {
    assertThat(AddressDetector.detect(links, "first-found", false))
        .contains(Cidr.parse("10.0.0.5/24"));
    assertThat(AddressDetector.detect(links, "first-found", true))
        .contains(Cidr.parse("fd00:1::5/64"));
  }

  /**
   * Calico's first-found also skips container runtimes' bridges (Docker's user networks {@code
   * br-<id>}, podman's), WireGuard devices and NodeLocal DNSCache's interface: a node running
   * Compose or podman must not come up on a bridge address no other node can reach.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {"br-4f1c2a9e0b7d", "podman0", "wireguard.cali", "wg-v6.cali", "nodelocaldns"})
  void firstFoundSkipsRuntimeBridgesAndOtherAgentsDevices(String name) {
    List<Link> withBridge =
        List.of(
            new Link(
                name,
                2,
                1500,
                null,
                true,
                "bridge",
                List.of(Cidr.parse("172.18.0.1/16"), Cidr.parse("fd00:18::1/64"))),
            new Link(
                "eth0",
                3,
                1500,
                null,
                true,
                null,
                List.of(Cidr.parse("10.0.0.5/24"), Cidr.parse("fd00:1::5/64"))));
    assertThat(AddressDetector.detect(withBridge, "first-found", false))
        .contains(Cidr.parse("10.0.0.5/24"));
    assertThat(AddressDetector.detect(withBridge, "first-found", true))
        .contains(Cidr.parse("fd00:1::5/64"));
  }

  @Test
  void interfaceAndCidrMethods() {
    assertThat(AddressDetector.detect(links, "interface=eth1", false))
        .contains(Cidr.parse("192.168.7.2/23"));
    assertThat(AddressDetector.detect(links, "cidr=192.168.0.0/16", false))
        .contains(Cidr.parse("192.168.7.2/23"));
    assertThat(AddressDetector.detect(links, "interface=nope.*", false)).isEmpty();
  }

  @Test
  void anUnknownMethodIsNamed() {
    assertThatThrownBy(() -> AddressDetector.detect(links, "magic", false))
        .hasMessageContaining("\"magic\"")
        .hasMessageContaining("first-found");
  }
}
