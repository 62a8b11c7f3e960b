package dev.netctl.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectNamesTest {
  private static final Pattern SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "default-ipv4-ippool",
        "node-1",
        "10-244-0-0-26",
        "fd00---122",
        "node-1-10-244-0-0-26",
        "k8s-pod-network.0123abcd",
        "ipip-tunnel-addr-node-1",
        "a"
      })
  void namesThatAreAlreadyObjectNamesStayAsTheyAre(String name) {
    assertThat(ObjectNames.encode(name)).isEqualTo(name);
    assertThat(ObjectNames.decode(name)).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "kube-system/allow-dns",
        "10.244.0.0/26",
        "fd00::/122",
        "Node-1",
        "-leading",
        "trailing-",
        "a..b",
        "x.looks-encoded",
        "ünïcode",
        "has space"
      })
  void otherNamesAreEncodedIntoAValidObjectNameAndBack(String name) {
    String encoded = ObjectNames.encode(name);
    assertThat(encoded).startsWith("x.").matches(SUBDOMAIN);
    assertThat(ObjectNames.decode(encoded)).isEqualTo(name);
  }

  @RepeatedTest(20)
  void randomNamesRoundTrip() {
    long seed = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    String alphabet = "abcXYZ019-./:_ é";
    StringBuilder sb = new StringBuilder();
    int length = 1 + random.nextInt(60);
    for (int i = 0; i < length; i++) sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    String name = sb.toString();
    String encoded = ObjectNames.encode(name);
    assertThat(encoded).as("seed %d, name %s", seed, name).matches(SUBDOMAIN).hasSizeLessThan(254);
    assertThat(ObjectNames.decode(encoded)).as("seed %d", seed).isEqualTo(name);
  }

  @Test
  void aNameTooLongEvenEncodedIsRefusedNamingTheLimit() {
    assertThatThrownBy(() -> ObjectNames.encode("/".repeat(200)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit is 253");
  }
}
