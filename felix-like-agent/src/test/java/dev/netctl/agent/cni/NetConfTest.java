package dev.netctl.agent.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NetConfTest {

  private static NetConf parse(String json) {
    return NetConf.parse(Json.parseObject(json));
  }

  @Test
  void readsCalicosFieldsWithItsDefaults() {
    NetConf c =
        parse(
            "{\"cniVersion\":\"0.3.1\",\"name\":\"k8s-pod-network\",\"type\":\"netctl\",\"mtu\":1410,"
                + "\"nodename\":\"n1\",\"ipam\":{\"type\":\"netctl-ipam\",\"assign_ipv6\":\"true\","
                + "\"ipv4_pools\":[\"10.0.0.0/16\"],\"ipv6_pools\":[\"p6\"]},"
                + "\"args\":{\"cni\":{\"labels\":{\"app\":\"web\"}}}}");
    assertThat(c.mtu()).isEqualTo(1410);
    assertThat(c.assignIpv4()).isTrue();
    assertThat(c.assignIpv6()).isTrue();
    assertThat(c.ipv4Pools()).containsExactly("10.0.0.0/16");
    assertThat(c.ipv6Pools()).containsExactly("p6");
    assertThat(c.nodename()).isEqualTo("n1");
    assertThat(c.labels()).isEqualTo(Map.of("app", "web"));
    assertThat(c.legacyResult()).isTrue();
    NetConf d = parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}");
    assertThat(d.assignIpv4()).isTrue();
    assertThat(d.assignIpv6()).isFalse();
    assertThat(d.mtu()).isZero();
    assertThat(d.legacyResult()).isFalse();
  }

  @Test
  void readsGcsValidAttachments() {
    NetConf c =
        parse(
            "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"cni.dev/valid-attachments\":"
                + "[{\"containerID\":\"a\",\"ifname\":\"eth0\"},{\"containerID\":\"b\",\"ifname\":\"eth1\"}]}");
    assertThat(c.validAttachments())
        .containsExactly(new NetConf.Attachment("a", "eth0"), new NetConf.Attachment("b", "eth1"));
  }

  @Test
  void refusalsNameTheFieldTheValueAndTheRule() {
    record Bad(String json, String field) {}
    for (Bad b :
        List.of(
            new Bad("{\"cniVersion\":\"1.0.0\"}", "field name"),
            new Bad("{\"cniVersion\":\"1.0.0\",\"name\":\"a b\"}", "field name = \"a b\""),
            new Bad("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"mtu\":20}", "field mtu = 20"),
            new Bad("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"mtu\":\"x\"}", "field mtu"),
            new Bad(
                "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"assign_ipv4\":\"maybe\"}}",
                "ipam.assign_ipv4"),
            new Bad(
                "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"assign_ipv4\":false}}",
                "nothing to assign"),
            new Bad(
                "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"ipv4_pools\":\"p\"}}",
                "ipam.ipv4_pools"))) {
      assertThatThrownBy(() -> parse(b.json()))
          .as(b.json())
          .isInstanceOfSatisfying(
              CniError.class,
              e -> {
                assertThat(e.code()).isEqualTo(CniError.INVALID_CONFIG);
                assertThat(e.details()).contains(b.field());
              });
    }
  }

  @Test
  void cniArgsSplitIntoPairsAndABrokenPairIsCode4() {
    assertThat(CniRequest.parseArgs("IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p-0"))
        .containsEntry("K8S_POD_NAMESPACE", "ns")
        .containsEntry("K8S_POD_NAME", "p-0");
    assertThatThrownBy(() -> CniRequest.parseArgs("A=1;broken"))
        .isInstanceOfSatisfying(
            CniError.class, e -> assertThat(e.code()).isEqualTo(CniError.INVALID_ENVIRONMENT));
  }
}
