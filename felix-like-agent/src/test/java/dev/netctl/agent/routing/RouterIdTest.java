package dev.netctl.agent.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netctl.datastore.model.Cidr;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RouterIdTest {

  @Test
  void withoutAnOptionTheIpv4AddressIsTheIdAndAnIpv6OnlyNodeHashes() {
    assertThat(RouterId.resolve(null, "n1", Cidr.parseAddress("10.0.0.5")))
        .isEqualTo(Cidr.parseAddress("10.0.0.5"));
    assertThat(RouterId.resolve("", "n1", null)).isEqualTo(RouterId.hash("n1"));
    assertThat(RouterId.resolve(null, "n1", null)).isEqualTo(RouterId.hash("n1"));
  }

  @Test
  void anExplicitIdOrHashWinsOverTheIpv4Address() {
    assertThat(RouterId.resolve("192.0.2.7", "n1", Cidr.parseAddress("10.0.0.5")))
        .isEqualTo(Cidr.parseAddress("192.0.2.7"));
    assertThat(RouterId.resolve("hash", "n1", Cidr.parseAddress("10.0.0.5")))
        .isEqualTo(RouterId.hash("n1"));
  }

  @Test
  void theHashIsTheFirstFourBytesOfTheNamesSha256() throws Exception {
    for (String name : new String[] {"node-1", "worker-b.example.com", "n"}) {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      byte[] id = RouterId.hash(name).getAddress();
      int first = d[0] & 0xff;
      assertThat(id[0] & 0xff).isEqualTo(first > 223 ? first - 32 : first);
      assertThat(new byte[] {id[1], id[2], id[3]}).containsExactly(d[1], d[2], d[3]);
    }
  }

  @Test
  void hashedIdsAreStableAndNeverMulticastOrReserved() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      String name = "node-" + i;
      var id = RouterId.hash(name);
      assertThat(RouterId.hash(name)).isEqualTo(id);
      assertThat(id.getAddress()[0] & 0xff).as(name).isLessThanOrEqualTo(223);
      assertThat(id.isAnyLocalAddress()).isFalse();
      seen.add(Cidr.format(id));
    }
    assertThat(seen).as("2000 names, 2000 ids (a 32-bit hash)").hasSize(2000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "256.1.1.1", "10.0.0", "fd00::1", "10.0.0.1/32", "01.2.3.4x"})
  void badIdsAreRefusedWithTheRule(String bad) {
    assertThat(RouterId.problem(bad)).isNotNull();
    assertThatThrownBy(() -> RouterId.resolve(bad, "n1", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--router-id " + bad);
  }

  @Test
  void zeroIsRefusedAsABgpIdentifier() {
    assertThat(RouterId.problem("0.0.0.0")).contains("must not be 0.0.0.0");
    assertThat(RouterId.problem("1.2.3.4")).isNull();
    assertThat(RouterId.problem("hash")).isNull();
  }
}
