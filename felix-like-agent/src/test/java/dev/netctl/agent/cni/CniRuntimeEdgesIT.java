package dev.netctl.agent.cni;

import static dev.netctl.agent.cni.CniNode.env;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.WorkloadEndpoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a runtime does that {@link CniPluginIT} does not: every other spec version, a second
 * interface of one pod on another network, a retried ADD, a netns that does not exist, and GC with
 * two networks on one node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CniRuntimeEdgesIT {

  private CniNode n;

  @BeforeAll
  void start() throws Exception {
    n = new CniNode();
  }

  @AfterAll
  void stop() {
    if (n != null) n.close();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> m, String k) {
    return (List<Map<String, Object>>) m.get(k);
  }

  private List<String> handles() {
    return n.ipam.store().handles().stream().map(h -> h.value().handleID()).toList();
  }

  private List<WorkloadEndpoint> endpoints() {
    return n.client.list(Kind.WORKLOAD_ENDPOINT);
  }

  private static String addressOf(CniNode.Run add) {
    String a = (String) list(add.json(), "ips").getFirst().get("address");
    return a.substring(0, a.indexOf('/'));
  }

  @ParameterizedTest(name = "cniVersion {0}")
  @ValueSource(strings = {"0.3.1", "0.4.0", "1.1.0"})
  void everySupportedVersionAddsChecksAndDeletes(String version) {
    String pod = n.newPod();
    String cid = "v" + version.replace(".", "");
    String conf = n.conf(true, true, null).replace("1.0.0", version);
    try {
      CniNode.Run add = n.exec("netctl", env("ADD", cid, pod, "ver-" + cid), conf);
      assertThat(add.exit()).as("ADD: %s", add.stdout()).isZero();
      assertThat(add.json().get("cniVersion")).isEqualTo(version);
      List<Map<String, Object>> ips = list(add.json(), "ips");
      // RFC 5952: the pool is fd00:77::/120, so the zeros are one "::".
      assertThat((String) ips.get(1).get("address")).matches("fd00:77::[0-9a-f]{1,2}/128");
      if (version.startsWith("0.")) {
        assertThat(ips).extracting(ip -> ip.get("version")).containsExactly("4", "6");
      } else {
        assertThat(ips).allSatisfy(ip -> assertThat(ip).doesNotContainKey("version"));
      }
      String withPrev =
          conf.substring(0, conf.length() - 1) + ",\"prevResult\":" + add.stdout().strip() + "}";
      if (!version.equals("0.3.1")) {
        CniNode.Run check = n.exec("netctl", env("CHECK", cid, pod, "ver-" + cid), withPrev);
        assertThat(check.exit()).as("CHECK: %s", check.stdout()).isZero();
      }
      CniNode.Run del = n.exec("netctl", env("DEL", cid, pod, "ver-" + cid), withPrev);
      assertThat(del.exit()).as("DEL: %s", del.stdout()).isZero();
    } finally {
      del("netctl", env("DEL", cid, pod, "ver-" + cid), conf);
      n.deletePod(pod);
    }
    assertThat(handles()).isEmpty();
    assertThat(n.caliLinks()).isEmpty();
  }

  /** A runtime's DEL, best effort: cleanup in {@code finally} must not hide the real failure. */
  private void del(String plugin, Map<String, String> env, String conf) {
    Map<String, String> d = new HashMap<>(env);
    d.put("CNI_COMMAND", "DEL");
    n.exec(plugin, d, conf);
  }

  private static Map<String, String> ifname(Map<String, String> env, String ifName) {
    Map<String, String> e = new HashMap<>(env);
    e.put("CNI_IFNAME", ifName);
    return e;
  }

  /**
   * Multus' case: eth0 on the pod network, net1 on a second netctl network. net1 must not clash
   * with eth0's gateway and default routes; it gets a default route only for a family eth0 has none
   * for, and its result lists only the routes it made.
   */
  @Test
  void aSecondInterfaceOnAnotherNetworkLeavesTheFirstAlone() {
    String pod = n.newPod();
    String podNet = n.conf(true, false, null);
    String second = n.conf(true, true, null).replace("k8s-pod-network", "net-b");
    Map<String, String> eth0 = env("ADD", "multi1", pod, "multi");
    Map<String, String> net1 = ifname(eth0, "net1");
    try {
      CniNode.Run first = n.exec("netctl", eth0, podNet);
      assertThat(first.exit()).as(first.stdout()).isZero();
      CniNode.Run add = n.exec("netctl", net1, second);
      assertThat(add.exit()).as("ADD net1: %s", add.stdout()).isZero();
      assertThat(list(add.json(), "interfaces").get(1)).containsEntry("name", "net1");
      assertThat(list(add.json(), "ips")).hasSize(2);
      assertThat(list(add.json(), "routes"))
          .as("only IPv6 had no default route yet")
          .containsExactly(Map.of("dst", "::/0", "gw", PodPlumbing.GATEWAY_V6));
      assertThat(n.caliLinks()).hasSize(2);
      assertThat(endpoints()).hasSize(2);
      assertThat(handles()).containsExactlyInAnyOrder("k8s-pod-network.multi1", "net-b.multi1");
      assertThat(CniNode.sh("ip -n " + pod + " -4 route show default"))
          .contains("via 169.254.1.1 dev eth0")
          .doesNotContain("net1");
      assertThat(CniNode.sh("ip -n " + pod + " -6 route show default")).contains("dev net1");
      assertThat(CniNode.sh("ip -n " + pod + " -o addr show dev net1"))
          .contains(addressOf(add) + "/32");
      String withPrev =
          second.substring(0, second.length() - 1)
              + ",\"prevResult\":"
              + add.stdout().strip()
              + "}";
      CniNode.Run check =
          n.exec("netctl", ifname(env("CHECK", "multi1", pod, "multi"), "net1"), withPrev);
      assertThat(check.exit()).as("CHECK net1: %s", check.stdout()).isZero();

      // Deleting net1 leaves eth0 whole.
      CniNode.Run delNet1 =
          n.exec("netctl", ifname(env("DEL", "multi1", pod, "multi"), "net1"), second);
      assertThat(delNet1.exit()).as(delNet1.stdout()).isZero();
      assertThat(handles()).containsExactly("k8s-pod-network.multi1");
      assertThat(n.exec("netctl", env("CHECK", "multi1", pod, "multi"), podNet).exit()).isZero();
      assertThat(CniNode.sh("ip -n " + pod + " -o addr show dev eth0")).contains(addressOf(first));
    } finally {
      del("netctl", net1, second);
      del("netctl", eth0, podNet);
      n.deletePod(pod);
    }
    assertThat(handles()).isEmpty();
    assertThat(endpoints()).isEmpty();
    assertThat(n.caliLinks()).isEmpty();
  }

  @Test
  void aRetriedAddLeavesOneAttachment() {
    String pod = n.newPod();
    String conf = n.conf(true, false, null);
    Map<String, String> env = env("ADD", "retry1", pod, "retry");
    try {
      CniNode.Run first = n.exec("netctl", env, conf);
      assertThat(first.exit()).as(first.stdout()).isZero();
      CniNode.Run again = n.exec("netctl", env, conf);
      assertThat(again.exit()).as(again.stdout()).isZero();
      assertThat(n.caliLinks()).hasSize(1);
      assertThat(endpoints()).hasSize(1);
      assertThat(handles()).containsExactly("k8s-pod-network.retry1");
      assertThat(CniNode.sh("ip -n " + pod + " -o -4 addr show dev eth0").strip().split("\n"))
          .hasSize(1)
          .allSatisfy(line -> assertThat(line).contains(addressOf(again) + "/32"));
      assertThat(n.exec("netctl", env("CHECK", "retry1", pod, "retry"), conf).exit()).isZero();
    } finally {
      del("netctl", env, conf);
      n.deletePod(pod);
    }
    assertThat(handles()).isEmpty();
    assertThat(endpoints()).isEmpty();
  }

  @Test
  void addIntoANetnsThatDoesNotExistIsCode4AndLeavesNothing() {
    String absent = n.prefix + "absent";
    CniNode.Run add =
        n.exec("netctl", env("ADD", "nonetns", absent, "absent"), n.conf(true, false, null));
    assertThat(add.exit()).isEqualTo(1);
    assertThat(add.code()).isEqualTo(CniError.INVALID_ENVIRONMENT);
    assertThat((String) add.json().get("msg")).contains(absent);
    assertThat(handles()).isEmpty();
    assertThat(endpoints()).isEmpty();
    assertThat(n.caliLinks()).isEmpty();
  }

  /** SPEC.md: an interface name is at most 15 characters and not "." or "..". */
  @Test
  void interfaceNamesTheSpecForbidsAreCode4() {
    String pod = n.newPod();
    try {
      for (String bad : new String[] {".", "..", "a234567890123456"}) {
        CniNode.Run add =
            n.exec("netctl", ifname(env("ADD", "ifn", pod, "ifn"), bad), n.conf(true, false, null));
        assertThat(add.exit()).as(bad).isEqualTo(1);
        assertThat(add.code())
            .as("%s: %s", bad, add.stdout())
            .isEqualTo(CniError.INVALID_ENVIRONMENT);
        assertThat((String) add.json().get("details")).contains("\"" + bad + "\"");
      }
    } finally {
      n.deletePod(pod);
    }
    assertThat(handles()).isEmpty();
    assertThat(n.caliLinks()).isEmpty();
  }

  /**
   * GC's list names only its own network's attachments: another network's pods on this node keep
   * their endpoint, veth and addresses.
   */
  @Test
  void gcOfOneNetworkLeavesAnotherNetworksAttachments() {
    String a = n.newPod();
    String b = n.newPod();
    String c = n.newPod();
    String podNet = n.conf(true, false, null);
    String other = podNet.replace("k8s-pod-network", "other-net");
    Map<String, String> keep = env("ADD", "gca", a, "gc-a");
    Map<String, String> foreign = env("ADD", "gcb", b, "gc-b");
    Map<String, String> drop = env("ADD", "gcc", c, "gc-c");
    try {
      assertThat(n.exec("netctl", keep, podNet).exit()).isZero();
      assertThat(n.exec("netctl", foreign, other).exit()).isZero();
      assertThat(n.exec("netctl", drop, podNet).exit()).isZero();
      String gc =
          podNet.replace("1.0.0", "1.1.0").substring(0, podNet.length() - 1)
              + ",\"cni.dev/valid-attachments\":[{\"containerID\":\"gca\",\"ifname\":\"eth0\"}]}";
      CniNode.Run run = n.exec("netctl", Map.of("CNI_COMMAND", "GC"), gc);
      assertThat(run.exit()).as(run.stdout()).isZero();
      assertThat(handles()).containsExactlyInAnyOrder("k8s-pod-network.gca", "other-net.gcb");
      assertThat(endpoints())
          .extracting(w -> w.spec().containerID())
          .containsExactlyInAnyOrder("gca", "gcb");
      assertThat(n.caliLinks()).hasSize(2);
    } finally {
      del("netctl", keep, podNet);
      del("netctl", foreign, other);
      del("netctl", drop, podNet);
      n.deletePod(a);
      n.deletePod(b);
      n.deletePod(c);
    }
    assertThat(handles()).isEmpty();
  }
}
