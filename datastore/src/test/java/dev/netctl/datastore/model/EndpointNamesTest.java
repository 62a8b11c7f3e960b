package dev.netctl.datastore.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointNamesTest {

  @Test
  void anEndpointNameParsesBackIntoItsPartsEvenWithDashesInThem() {
    String name = EndpointNames.endpointName("node-1", "k8s", "web-0", "eth0");
    assertThat(name).isEqualTo("node--1-k8s-web--0-eth0");
    assertThat(EndpointNames.parse(name)).hasValue(List.of("node-1", "k8s", "web-0", "eth0"));
    assertThat(EndpointNames.parse(EndpointNames.endpointName("a--b", "cni", "c", "eth1")))
        .hasValue(List.of("a--b", "cni", "c", "eth1"));
  }

  @Test
  void namesNotMadeThatWayDoNotParse() {
    assertThat(EndpointNames.parse("web-0")).isEmpty();
    assertThat(EndpointNames.parse("a-b-c-d-e")).isEmpty();
    assertThat(EndpointNames.parse("a--k8s-b-c")).isEmpty();
  }

  @Test
  void theHostVethIsCaliAndElevenHexDigitsOfSha1() {
    // printf 'shop.web-0' | sha1sum = a4fc3c48bd86c9bb94624ac9872761f967fb0aa8
    assertThat(EndpointNames.hostInterface("shop.web-0")).isEqualTo("calia4fc3c48bd8");
  }
}
