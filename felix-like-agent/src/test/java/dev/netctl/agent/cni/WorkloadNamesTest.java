package dev.netctl.agent.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkloadNamesTest {

  private static CniRequest request(String cniArgs, String containerId) {
    return CniRequest.of(
        Map.of(
            "command",
            "ADD",
            "containerID",
            containerId,
            "ifName",
            "eth0",
            "args",
            cniArgs,
            "config",
            Map.of("cniVersion", "1.0.0", "name", "k8s-pod-network")));
  }

  @Test
  void kubernetesPodsGetCalicosEndpointNameWithDashesDoubled() {
    CniRequest r = request("K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-0", "abc");
    assertThat(WorkloadNames.endpointName("node-1", r)).isEqualTo("node--1-k8s-web--0-eth0");
    assertThat(WorkloadNames.namespace(r)).isEqualTo("shop");
    assertThat(WorkloadNames.workloadId(r)).isEqualTo("shop.web-0");
    assertThat(r.handle()).isEqualTo("k8s-pod-network.abc");
  }

  @Test
  void withoutKubernetesTheContainerIdNamesTheWorkload() {
    CniRequest r = request("", "c0ffee");
    assertThat(WorkloadNames.endpointName("n1", r)).isEqualTo("n1-cni-c0ffee-eth0");
    assertThat(WorkloadNames.namespace(r)).isEqualTo("default");
    assertThat(WorkloadNames.workloadId(r)).isEqualTo("c0ffee");
  }

  @Test
  void aSecondInterfaceOfAPodIsItsOwnWorkload() {
    CniRequest eth1 =
        CniRequest.of(
            Map.of(
                "command", "ADD",
                "containerID", "abc",
                "ifName", "eth1",
                "args", "K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-0",
                "config", Map.of("cniVersion", "1.0.0", "name", "k8s-pod-network")));
    assertThat(WorkloadNames.workloadId(eth1)).isEqualTo("shop.web-0.eth1");
    assertThat(WorkloadNames.endpointName("n1", eth1)).isEqualTo("n1-k8s-web--0-eth1");
  }

  @Test
  void anEndpointNameOverTheObjectNameLimitIsCutAndEndsInADigestOfTheFullName() {
    String longPod = "web-" + "x".repeat(230) + "-a-b";
    CniRequest r = request("K8S_POD_NAMESPACE=shop;K8S_POD_NAME=" + longPod, "abc");
    String name = WorkloadNames.endpointName("node-1", r);
    assertThat(name).hasSizeLessThanOrEqualTo(253);
    assertThat(dev.netctl.datastore.model.Validator.isDnsSubdomain(name))
        .as("%s is an object name", name)
        .isTrue();
    assertThat(dev.netctl.datastore.model.EndpointNames.parse(name))
        .as("still <node>-k8s-<workload>-<endpoint>")
        .hasValueSatisfying(
            p -> {
              assertThat(p.get(0)).isEqualTo("node-1");
              assertThat(p.get(1)).isEqualTo("k8s");
              assertThat(longPod).startsWith(p.get(2).substring(0, p.get(2).length() - 16));
              assertThat(p.get(3)).isEqualTo("eth0");
            });
    assertThat(WorkloadNames.endpointName("node-1", r)).as("stable").isEqualTo(name);
    CniRequest other = request("K8S_POD_NAMESPACE=shop;K8S_POD_NAME=" + longPod + "c", "abc");
    assertThat(WorkloadNames.endpointName("node-1", other))
        .as("pods sharing the kept prefix get names of their own")
        .isNotEqualTo(name);
    CniRequest fits = request("K8S_POD_NAMESPACE=shop;K8S_POD_NAME=" + "y".repeat(230), "abc");
    assertThat(WorkloadNames.endpointName("n1", fits))
        .as("a name that fits is Calico's, unchanged")
        .isEqualTo("n1-k8s-" + "y".repeat(230) + "-eth0");
  }

  @Test
  void hostVethIsThePrefixAndElevenHexDigitsOfSha1OfTheWorkloadId() {
    // printf 'shop.web-0' | sha1sum = a4fc3c48bd86c9bb94624ac9872761f967fb0aa8
    assertThat(WorkloadNames.hostIface("shop.web-0")).isEqualTo("calia4fc3c48bd8");
    assertThat(WorkloadNames.hostIface("shop.web-1"))
        .isNotEqualTo(WorkloadNames.hostIface("shop.web-0"));
  }
}
