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

  /**
   * The CNI side and the Kubernetes backend must name a long pod's endpoint alike, so the rule
   * lives here: past 253 characters the workload part is cut and ends in 16 hex digits of sha1 of
   * the full name, and such a name is one whose workload part must not be trusted.
   */
  @Test
  void aNamePastTheLimitIsCutAndEndsInADigestThatMarksItAsPossiblyShortened() {
    String pod = "web-" + "x".repeat(240) + "-0";
    String name = EndpointNames.endpointName("node-1", "k8s", pod, "eth0");
    assertThat(name).hasSizeLessThanOrEqualTo(EndpointNames.MAX_NAME);
    List<String> parts = EndpointNames.parse(name).orElseThrow();
    assertThat(parts.get(0)).isEqualTo("node-1");
    assertThat(parts.get(2)).isNotEqualTo(pod).matches("web-x+[0-9a-f]{16}");
    assertThat(EndpointNames.mayBeShortened(name)).isTrue();
    assertThat(EndpointNames.endpointName("node-1", "k8s", pod + "1", "eth0"))
        .as("another long pod, another name")
        .isNotEqualTo(name);
    assertThat(
            EndpointNames.mayBeShortened(EndpointNames.endpointName("n", "k8s", "web-0", "eth0")))
        .isFalse();
    assertThat(EndpointNames.mayBeShortened("web-0")).isFalse();
  }
}
