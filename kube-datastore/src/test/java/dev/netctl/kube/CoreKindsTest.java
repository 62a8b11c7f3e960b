package dev.netctl.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.model.EndpointNames;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.WorkloadEndpoint;
import dev.netctl.datastore.model.WorkloadEndpointSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure Pod → WorkloadEndpoint rules, Calico KDD's, case by case. */
class CoreKindsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode pod(String extraSpec, String status, String annotations)
      throws Exception {
    return JSON.readTree(
        """
        {"metadata": {"namespace": "ns", "name": "p", "resourceVersion": "7",
                      "annotations": {%s}},
         "spec": {"nodeName": "n1", "containers": [] %s},
         "status": %s}
        """
            .formatted(annotations, extraSpec, status));
  }

  private static WorkloadEndpoint endpoint(JsonNode pod) {
    return CoreKinds.endpoint(pod).orElse(null);
  }

  @Test
  void addressesComeFromTheCniAnnotationFirstThenTheStatusInBothFamilies() throws Exception {
    String status =
        "{\"phase\": \"Running\", \"podIPs\": [{\"ip\": \"10.0.0.1\"}, {\"ip\": \"fd00::1\"}]}";
    assertThat(endpoint(pod("", status, "")).spec().ipNetworks())
        .containsExactly("10.0.0.1/32", "fd00::1/128");
    assertThat(
            endpoint(pod("", status, "\"cni.projectcalico.org/podIPs\": \"10.0.0.9/32\""))
                .spec()
                .ipNetworks())
        .containsExactly("10.0.0.9/32");
  }

  @Test
  void hostNetworkFinishedAndAddresslessPodsHaveNoEndpoint() throws Exception {
    String running = "{\"phase\": \"Running\", \"podIP\": \"10.0.0.1\"}";
    WorkloadEndpoint running0 = endpoint(pod("", running, ""));
    assertThat(running0.metadata().name()).isEqualTo("n1-k8s-p-eth0");
    assertThat(running0.metadata().namespace()).isEqualTo("ns");
    assertThat(running0.spec())
        .isEqualTo(
            new WorkloadEndpointSpec(
                "k8s",
                null,
                "n1",
                null,
                "p",
                "eth0",
                null,
                List.of("10.0.0.1/32"),
                null,
                null,
                List.of("kns.ns"),
                EndpointNames.hostInterface("ns.p"),
                null,
                List.of()));
    assertThat(endpoint(pod(", \"hostNetwork\": true", running, ""))).isNull();
    assertThat(endpoint(pod("", "{\"phase\": \"Failed\", \"podIP\": \"10.0.0.1\"}", ""))).isNull();
    assertThat(endpoint(pod("", "{\"phase\": \"Pending\"}", ""))).isNull();
  }

  @Test
  void keysNameTheObjectThatHoldsThemAndNothingElse() {
    String wep = Kind.WORKLOAD_ENDPOINT.storageKind();
    assertThat(CoreKinds.objectOf(new Key(wep, "ns/n--1-k8s-web--0-eth0")))
        .hasValueSatisfying(o -> assertThat(o).containsExactly("ns", "web-0"));
    assertThat(CoreKinds.objectOf(new Key(wep, "ns/n1-cni-c0ffee-eth0"))).isEmpty();
    assertThat(CoreKinds.objectOf(new Key(wep, "ns/n1-k8s-web-eth1"))).isEmpty();
    assertThat(CoreKinds.objectOf(new Key(Kind.PROFILE.storageKind(), "kns.shop")))
        .hasValueSatisfying(o -> assertThat(o).containsExactly(null, "shop"));
    assertThat(CoreKinds.objectOf(new Key(Kind.PROFILE.storageKind(), "ksa.shop.default")))
        .as("a service account's profile is the ServiceAccount")
        .hasValueSatisfying(o -> assertThat(o).containsExactly("shop", "default"));
    assertThat(CoreKinds.sourceOf(new Key(Kind.PROFILE.storageKind(), "ksa.shop.default")))
        .contains(CoreKinds.SERVICE_ACCOUNTS);
    assertThat(CoreKinds.objectOf(new Key(Kind.PROFILE.storageKind(), "ksa.shop"))).isEmpty();
    assertThat(CoreKinds.objectOf(new Key(Kind.PROFILE.storageKind(), "other"))).isEmpty();
  }
}
