package dev.netctl.agent.cni;

import static dev.netctl.agent.cni.CniNode.env;
import static dev.netctl.agent.cni.CniNode.list;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.WorkloadEndpoint;
import dev.netctl.ipam.allocator.AssignRequest;
import dev.netctl.ipam.block.Cidr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The installed plugin exec'd as a runtime does it (CNI env, config on stdin, inside the node's
 * network namespace) against a CniServer, with real pods in network namespaces.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CniPluginIT {

  private CniNode n;

  @BeforeAll
  void start() throws Exception {
    n = new CniNode();
  }

  @AfterAll
  void stop() {
    if (n != null) n.close();
  }

  @ParameterizedTest(name = "v4={0} v6={1}")
  @CsvSource({"true,false", "false,true", "true,true"})
  void addCheckDelPlumbsTheKernelAndCleansUp(boolean v4, boolean v6) {
    String pod = n.newPod();
    String cid = "add" + (v4 ? "4" : "") + (v6 ? "6" : "");
    String conf = n.conf(v4, v6, null);
    CniNode.Run add = n.exec("netctl", env("ADD", cid, pod, "web-" + cid), conf);
    assertThat(add.exit()).as("ADD: %s %s", add.stdout(), add.stderr()).isZero();
    Map<String, Object> result = add.json();
    assertThat(result.get("cniVersion")).isEqualTo("1.0.0");
    List<Map<String, Object>> ifaces = list(result, "interfaces");
    assertThat(ifaces).hasSize(2);
    String hostIface = (String) ifaces.get(0).get("name");
    assertThat(hostIface).startsWith("cali").hasSize(15);
    assertThat(ifaces.get(0).get("mac")).isEqualTo("ee:ee:ee:ee:ee:ee");
    assertThat(ifaces.get(1))
        .containsEntry("name", "eth0")
        .containsEntry("sandbox", CniNode.netnsPath(pod));
    List<Map<String, Object>> ips = list(result, "ips");
    assertThat(ips).hasSize((v4 ? 1 : 0) + (v6 ? 1 : 0));
    assertThat(ips).allSatisfy(ip -> assertThat(ip.get("interface")).isEqualTo(1L));
    List<String> addrs = ips.stream().map(ip -> (String) ip.get("address")).toList();
    for (String a : addrs) {
      Cidr pool = Cidr.parse(a.contains(":") ? CniNode.CIDR6 : CniNode.CIDR4);
      assertThat(pool.contains(Cidr.parseAddress(a.substring(0, a.indexOf('/')))))
          .as("%s inside %s", a, pool)
          .isTrue();
    }

    // The kernel: pod addresses and routes, host end and its route marked with our protocol.
    String podAddr = CniNode.sh("ip -n " + pod + " addr show dev eth0");
    String podRoutes = CniNode.sh("ip -n " + pod + " route; ip -n " + pod + " -6 route");
    String hostRoutes = n.node("ip route show proto 86; ip -6 route show proto 86");
    for (String a : addrs) {
      assertThat(podAddr).contains(a);
      assertThat(hostRoutes).contains(a.substring(0, a.indexOf('/')) + " dev " + hostIface);
    }
    if (v4)
      assertThat(podRoutes)
          .contains("default via 169.254.1.1 dev eth0", "169.254.1.1 dev eth0 scope link");
    if (v6) assertThat(podRoutes).contains("default via fe80::ecee:eeff:feee:eeee dev eth0");
    assertThat(podAddr).contains("mtu 1450");
    assertThat(n.node("cat /proc/sys/net/ipv4/conf/" + hostIface + "/proxy_arp").strip())
        .isEqualTo("1");

    // The endpoint, Calico-shaped.
    WorkloadEndpoint wep =
        n.client.get(Kind.WORKLOAD_ENDPOINT, "shop/node--1-k8s-web--" + cid + "-eth0");
    assertThat(wep.spec().containerID()).isEqualTo(cid);
    assertThat(wep.spec().interfaceName()).isEqualTo(hostIface);
    assertThat(wep.spec().ipNetworks()).containsExactlyInAnyOrderElementsOf(addrs);
    assertThat(wep.spec().profiles()).containsExactly("kns.shop");
    assertThat(wep.metadata().labels()).containsEntry("projectcalico.org/namespace", "shop");
    assertThat(n.handles()).contains("k8s-pod-network." + cid);

    String withPrev =
        conf.substring(0, conf.length() - 1) + ",\"prevResult\":" + add.stdout().strip() + "}";
    CniNode.Run check = n.exec("netctl", env("CHECK", cid, pod, "web-" + cid), withPrev);
    assertThat(check.exit()).as("CHECK: %s", check.stdout()).isZero();
    CniNode.sh(
        "ip -n "
            + pod
            + " route del default 2>/dev/null; ip -n "
            + pod
            + " -6 route del default 2>/dev/null; true");
    CniNode.Run broken = n.exec("netctl", env("CHECK", cid, pod, "web-" + cid), withPrev);
    assertThat(broken.exit()).isEqualTo(1);
    assertThat(broken.code()).isEqualTo(CniError.CHECK_FAILED);
    assertThat((String) broken.json().get("details")).contains("no default route");

    CniNode.Run del = n.exec("netctl", env("DEL", cid, pod, "web-" + cid), withPrev);
    assertThat(del.exit()).as("DEL: %s", del.stdout()).isZero();
    assertThat(del.stdout()).isBlank();
    assertThat(n.caliLinks()).doesNotContain(hostIface);
    assertThat(CniNode.sh("ip -n " + pod + " link")).doesNotContain("eth0");
    assertThat(n.handles()).doesNotContain("k8s-pod-network." + cid);
    assertThat(n.endpoints()).noneMatch(w -> cid.equals(w.spec().containerID()));
    assertThat(n.node("ip route show proto 86; ip -6 route show proto 86"))
        .doesNotContain(hostIface);
    assertThat(n.exec("netctl", env("DEL", cid, pod, "web-" + cid), conf).exit())
        .as("a second DEL succeeds")
        .isZero();
    n.deletePod(pod);
  }

  @Test
  void twoPodsOnOneNodePingEachOtherThroughTheHost() {
    String a = n.newPod();
    String b = n.newPod();
    String conf = n.conf(true, true, null);
    Map<String, Object> ra = n.exec("netctl", env("ADD", "pinga", a, "ping-a"), conf).json();
    Map<String, Object> rb = n.exec("netctl", env("ADD", "pingb", b, "ping-b"), conf).json();
    try {
      for (Map<String, Object> ip : list(rb, "ips")) {
        String addr = ((String) ip.get("address")).split("/")[0];
        String out =
            CniNode.sh("ip netns exec " + a + " ping -c 3 -i 0.2 -W 2 " + addr + " 2>&1 || true");
        assertThat(out).as("ping %s from pod a", addr).contains(" 0% packet loss");
      }
      String back = ((String) list(ra, "ips").getFirst().get("address")).split("/")[0];
      assertThat(
              CniNode.sh("ip netns exec " + b + " ping -c 2 -i 0.2 -W 2 " + back + " 2>&1 || true"))
          .contains(" 0% packet loss");
    } finally {
      n.exec("netctl", env("DEL", "pinga", a, "ping-a"), conf);
      n.exec("netctl", env("DEL", "pingb", b, "ping-b"), conf);
      n.deletePod(a);
      n.deletePod(b);
    }
  }

  @Test
  void chainedWithPortmapAndBandwidthAsLibcniRunsAConflist() {
    String pod = n.newPod();
    String cid = "chain1";
    String base = "\"cniVersion\":\"1.0.0\",\"name\":\"k8s-pod-network\"";
    String netctlConf = n.conf(true, false, null);
    Map<String, String> env = env("ADD", cid, pod, "chained");
    CniNode.Run first = n.exec("netctl", env, netctlConf);
    assertThat(first.exit()).as(first.stdout()).isZero();
    String portmap =
        "{"
            + base
            + ",\"type\":\"portmap\",\"snat\":true,\"capabilities\":{\"portMappings\":true},"
            + "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":18080,\"containerPort\":80,\"protocol\":\"tcp\"}]},"
            + "\"prevResult\":"
            + first.stdout().strip()
            + "}";
    CniNode.Run second = n.exec("/usr/lib/cni/portmap", env, portmap);
    assertThat(second.exit()).as("portmap: %s %s", second.stdout(), second.stderr()).isZero();
    String bandwidth =
        "{"
            + base
            + ",\"type\":\"bandwidth\",\"ingressRate\":1000000,\"ingressBurst\":100000,\"prevResult\":"
            + second.stdout().strip()
            + "}";
    CniNode.Run third = n.exec("/usr/lib/cni/bandwidth", env, bandwidth);
    assertThat(third.exit()).as("bandwidth: %s %s", third.stdout(), third.stderr()).isZero();
    String hostIface = (String) list(third.json(), "interfaces").getFirst().get("name");
    assertThat(n.node("tc qdisc show dev " + hostIface)).contains("tbf");
    assertThat(n.node("iptables-save -t nat")).contains("18080");

    // CHECK and DEL run the chain with the final result, DEL in reverse order.
    String finalResult = third.stdout().strip();
    String netctlWithPrev =
        netctlConf.substring(0, netctlConf.length() - 1) + ",\"prevResult\":" + finalResult + "}";
    assertThat(n.exec("netctl", env("CHECK", cid, pod, "chained"), netctlWithPrev).exit()).isZero();
    // portmap's own CHECK takes our result: its IPv4 DNAT check (run first) passes. Debian's 1.1.1
    // then checks the same chain in ip6tables for every address (fixed upstream in v1.3.0, "Only
    // check ipv6 when an IPv6 is configured"), which fails for any pod, ours or ptp's.
    CniNode.Run portmapCheck =
        n.exec(
            "/usr/lib/cni/portmap",
            env("CHECK", cid, pod, "chained"),
            portmap.replace(first.stdout().strip(), finalResult));
    if (portmapCheck.exit() != 0) {
      assertThat(portmapCheck.stdout())
          .as("only 1.1.1's IPv6 check of an IPv4 pod fails")
          .contains("could not check ipv6 dnat")
          .doesNotContain("ipv4");
    }
    Map<String, String> del = env("DEL", cid, pod, "chained");
    assertThat(
            n.exec(
                    "/usr/lib/cni/bandwidth",
                    del,
                    bandwidth.replace(second.stdout().strip(), finalResult))
                .exit())
        .isZero();
    assertThat(
            n.exec(
                    "/usr/lib/cni/portmap",
                    del,
                    portmap.replace(first.stdout().strip(), finalResult))
                .exit())
        .isZero();
    assertThat(n.exec("netctl", del, netctlWithPrev).exit()).isZero();
    assertThat(n.node("iptables-save -t nat")).doesNotContain("18080");
    assertThat(n.caliLinks()).doesNotContain(hostIface);
    assertThat(n.handles()).doesNotContain("k8s-pod-network." + cid);
    n.deletePod(pod);
  }

  @Test
  void delSucceedsAndReleasesEverythingAfterTheNetnsIsGone() {
    String pod = n.newPod();
    String conf = n.conf(true, false, null);
    CniNode.Run add = n.exec("netctl", env("ADD", "gone1", pod, "gone"), conf);
    assertThat(add.exit()).isZero();
    n.deletePod(pod);
    CniNode.Run del = n.exec("netctl", env("DEL", "gone1", pod, "gone"), conf);
    assertThat(del.exit()).as(del.stdout()).isZero();
    assertThat(n.handles()).doesNotContain("k8s-pod-network.gone1");
    assertThat(n.endpoints()).noneMatch(w -> "gone1".equals(w.spec().containerID()));
    assertThat(n.caliLinks()).isEmpty();
    // A container the agent never saw is a successful DEL as well.
    assertThat(n.exec("netctl", env("DEL", "never", pod, null), conf).exit()).isZero();
  }

  @Test
  void delWithoutTheCniArgsOfItsAddStillRemovesTheEndpointAndVeth() {
    String pod = n.newPod();
    String conf = n.conf(true, false, null);
    assertThat(n.exec("netctl", env("ADD", "noargs1", pod, "noargs"), conf).exit()).isZero();
    assertThat(n.caliLinks()).hasSize(1);
    CniNode.Run del = n.exec("netctl", env("DEL", "noargs1", pod, null), conf);
    assertThat(del.exit()).as(del.stdout()).isZero();
    assertThat(n.endpoints()).noneMatch(w -> "noargs1".equals(w.spec().containerID()));
    assertThat(n.caliLinks()).isEmpty();
    assertThat(n.handles()).doesNotContain("k8s-pod-network.noargs1");
    n.deletePod(pod);
  }

  @Test
  void aStormOfConcurrentAddsAndDelsHandsOutNoAddressTwiceAndLeaksNothing() throws Exception {
    int pods = 50;
    String conf = n.conf(true, true, null);
    List<String> netns = new ArrayList<>();
    for (int i = 0; i < pods; i++) netns.add(n.newPod());
    ExecutorService pool = Executors.newFixedThreadPool(pods);
    try {
      List<Future<CniNode.Run>> adds = new ArrayList<>();
      for (int i = 0; i < pods; i++) {
        int k = i;
        adds.add(
            pool.submit(
                () -> n.exec("netctl", env("ADD", "storm" + k, netns.get(k), "storm-" + k), conf)));
      }
      Set<String> seen = new HashSet<>();
      for (Future<CniNode.Run> f : adds) {
        CniNode.Run r = f.get();
        assertThat(r.exit()).as("ADD: %s %s", r.stdout(), r.stderr()).isZero();
        for (Map<String, Object> ip : list(r.json(), "ips")) {
          assertThat(seen.add((String) ip.get("address")))
              .as("address %s handed out twice", ip.get("address"))
              .isTrue();
        }
      }
      assertThat(seen).hasSize(2 * pods);
      assertThat(n.caliLinks()).hasSize(pods);
      assertThat(n.endpoints()).hasSize(pods);
      List<Future<CniNode.Run>> dels = new ArrayList<>();
      for (int i = 0; i < pods; i++) {
        int k = i;
        dels.add(
            pool.submit(
                () -> n.exec("netctl", env("DEL", "storm" + k, netns.get(k), "storm-" + k), conf)));
      }
      for (Future<CniNode.Run> f : dels) assertThat(f.get().exit()).isZero();
    } finally {
      pool.shutdownNow();
      netns.forEach(n::deletePod);
    }
    assertThat(n.caliLinks()).as("leaked veths").isEmpty();
    assertThat(n.handles()).as("leaked handles").isEmpty();
    assertThat(n.endpoints()).as("leaked endpoints").isEmpty();
    assertThat(n.node("ip route show proto 86; ip -6 route show proto 86")).isBlank();
  }

  @Test
  void badInputGetsTheSpecsErrorAndLeavesNothingHalfMade() {
    String pod = n.newPod();
    try {
      CniNode.Run unknownPool =
          n.exec(
              "netctl",
              env("ADD", "bad1", pod, "bad"),
              n.conf(true, false, null)
                  .replace(
                      "\"assign_ipv6\":\"false\"",
                      "\"assign_ipv6\":\"false\",\"ipv4_pools\":[\"nope\"]"));
      assertThat(unknownPool.exit()).isEqualTo(1);
      assertThat(unknownPool.code()).isEqualTo(CniError.INVALID_CONFIG);
      assertThat((String) unknownPool.json().get("details")).contains("ipam.ipv4_pools", "nope");

      CniNode.Run badVersion =
          n.exec(
              "netctl",
              env("ADD", "bad2", pod, "bad"),
              n.conf(true, false, null).replace("1.0.0", "9.9.9"));
      assertThat(badVersion.code()).isEqualTo(CniError.INCOMPATIBLE_VERSION);

      Map<String, String> noId = env("ADD", "bad3", pod, "bad");
      noId.remove("CNI_CONTAINERID");
      CniNode.Run missing = n.exec("netctl", noId, n.conf(true, false, null));
      assertThat(missing.code()).isEqualTo(CniError.INVALID_ENVIRONMENT);
      assertThat((String) missing.json().get("msg")).contains("CNI_CONTAINERID");

      CniNode.Run noName =
          n.exec(
              "netctl",
              env("ADD", "bad4", pod, "bad"),
              n.conf(true, false, null).replace("\"name\":\"k8s-pod-network\",", ""));
      assertThat(noName.code()).isEqualTo(CniError.INVALID_CONFIG);
      assertThat((String) noName.json().get("details")).contains("field name");

      CniNode.Run garbage = n.exec("netctl", env("ADD", "bad5", pod, "bad"), "{not json");
      assertThat(garbage.code()).isEqualTo(CniError.DECODE_FAILURE);

      String downSocket = n.dir.resolve("nobody.sock").toString();
      CniNode.Run down =
          n.exec(
              "netctl",
              env("ADD", "bad6", pod, "bad"),
              n.conf(true, false, null).replace(n.socket.toString(), downSocket));
      assertThat(down.code()).isEqualTo(CniError.TRY_AGAIN_LATER);
      assertThat((String) down.json().get("msg")).contains(downSocket);

      n.ready.set(false);
      try {
        CniNode.Run notReady =
            n.exec("netctl", env("ADD", "bad7", pod, "bad"), n.conf(true, false, null));
        assertThat(notReady.code()).isEqualTo(CniError.TRY_AGAIN_LATER);
        CniNode.Run status =
            n.exec(
                "netctl",
                Map.of("CNI_COMMAND", "STATUS"),
                n.conf(true, false, null).replace("1.0.0", "1.1.0"));
        assertThat(status.exit()).isEqualTo(1);
        assertThat(status.code()).isEqualTo(CniError.NOT_AVAILABLE);
      } finally {
        n.ready.set(true);
      }
      CniNode.Run status =
          n.exec(
              "netctl",
              Map.of("CNI_COMMAND", "STATUS"),
              n.conf(true, false, null).replace("1.0.0", "1.1.0"));
      assertThat(status.exit()).as(status.stdout()).isZero();

      assertThat(n.caliLinks()).isEmpty();
      assertThat(n.handles()).isEmpty();
      assertThat(n.endpoints()).isEmpty();
      assertThat(CniNode.sh("ip -n " + pod + " link")).doesNotContain("eth0");
    } finally {
      n.deletePod(pod);
    }
  }

  @Test
  void versionIsAnsweredByThePluginAlone() {
    CniNode.Run v =
        n.exec("netctl", Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"0.4.0\"}");
    assertThat(v.exit()).isZero();
    assertThat(v.json().get("supportedVersions"))
        .isEqualTo(List.of("0.3.1", "0.4.0", "1.0.0", "1.1.0"));
    assertThat(v.json().get("cniVersion")).isEqualTo("0.4.0");
  }

  @Test
  void theIpamPluginAloneAssignsAndReleasesByHandle() {
    String conf =
        "{\"cniVersion\":\"0.4.0\",\"name\":\"bridge-net\",\"type\":\"bridge\",\"agent_socket\":\""
            + n.socket
            + "\",\"ipam\":{\"type\":\"netctl-ipam\",\"assign_ipv6\":\"true\"}}";
    Map<String, String> env = env("ADD", "ipamonly", "unused", null);
    CniNode.Run add = n.exec("netctl-ipam", env, conf);
    assertThat(add.exit()).as(add.stdout()).isZero();
    assertThat(add.json()).doesNotContainKey("interfaces");
    List<Map<String, Object>> ips = list(add.json(), "ips");
    assertThat(ips).extracting(ip -> ip.get("version")).containsExactly("4", "6");
    assertThat(ips).allSatisfy(ip -> assertThat(ip).doesNotContainKey("interface"));
    assertThat(n.handles()).containsExactly("bridge-net.ipamonly");
    assertThat(n.endpoints()).isEmpty();
    assertThat(n.exec("netctl-ipam", env("DEL", "ipamonly", "unused", null), conf).exit()).isZero();
    assertThat(n.handles()).isEmpty();
  }

  /** What calico-ipam is for: another main plugin (Debian's bridge) delegating IPAM to ours. */
  @Test
  void debiansBridgePluginGetsItsAddressesFromTheIpamPlugin() {
    String pod = n.newPod();
    String conf =
        "{\"cniVersion\":\"1.0.0\",\"name\":\"bridge-net\",\"type\":\"bridge\","
            + "\"bridge\":\"cnitest0\",\"isGateway\":false,\"ipMasq\":false,\"agent_socket\":\""
            + n.socket
            + "\",\"ipam\":{\"type\":\"netctl-ipam\"}}";
    Map<String, String> env = new java.util.HashMap<>(env("ADD", "bridged", pod, null));
    // The bridge plugin finds netctl-ipam on CNI_PATH, as a runtime's conflist would have it.
    env.put("CNI_PATH", "/usr/lib/cni:" + n.binDir);
    CniNode.Run add = n.exec("/usr/lib/cni/bridge", env, conf);
    assertThat(add.exit()).as("bridge: %s %s", add.stdout(), add.stderr()).isZero();
    String address = (String) list(add.json(), "ips").getFirst().get("address");
    String ip = address.substring(0, address.indexOf('/'));
    assertThat(CniNode.sh("ip -n " + pod + " -o addr show dev eth0")).contains(ip);
    assertThat(n.node("ip -o link show cnitest0")).contains("cnitest0");
    assertThat(n.handles()).containsExactly("bridge-net.bridged");
    assertThat(n.endpoints()).as("the IPAM plugin alone makes no WorkloadEndpoint").isEmpty();

    Map<String, String> del = new java.util.HashMap<>(env("DEL", "bridged", pod, null));
    del.put("CNI_PATH", "/usr/lib/cni:" + n.binDir);
    assertThat(n.exec("/usr/lib/cni/bridge", del, conf).exit()).isZero();
    assertThat(n.handles()).isEmpty();
    n.node("ip link del cnitest0");
    n.deletePod(pod);
  }

  @Test
  void podAnnotationsPickAFixedAddressOrAPool() {
    String pod = n.newPod();
    String fixed =
        n.conf(
            true,
            false,
            "\"args\":{\"cni\":{\"labels\":{\"app\":\"db\"},\"annotations\":{\"cni.projectcalico.org/ipAddrs\":\"[\\\"10.77.0.200\\\"]\"}}}");
    CniNode.Run add = n.exec("netctl", env("ADD", "fixed1", pod, "db-0"), fixed);
    assertThat(add.exit()).as(add.stdout()).isZero();
    assertThat(list(add.json(), "ips").getFirst().get("address")).isEqualTo("10.77.0.200/32");
    WorkloadEndpoint w = n.client.get(Kind.WORKLOAD_ENDPOINT, "shop/node--1-k8s-db--0-eth0");
    assertThat(w.metadata().labels()).containsEntry("app", "db");
    assertThat(n.exec("netctl", env("DEL", "fixed1", pod, "db-0"), fixed).exit()).isZero();

    String spare = annotated("cni.projectcalico.org/ipv4pools", CniNode.SPARE_CIDR4);
    CniNode.Run add2 = n.exec("netctl", env("ADD", "spare1", pod, "db-1"), spare);
    assertThat(add2.exit()).as(add2.stdout()).isZero();
    assertThat((String) list(add2.json(), "ips").getFirst().get("address")).startsWith("10.78.0.");
    assertThat(n.exec("netctl", env("DEL", "spare1", pod, "db-1"), spare).exit()).isZero();
    n.deletePod(pod);
  }

  /** A netconf (IPv4 only) whose CNI args carry one pod annotation: a JSON list of one string. */
  private String annotated(String annotation, String value) {
    return n.conf(
        true,
        false,
        "\"args\":{\"cni\":{\"annotations\":{\""
            + annotation
            + "\":\"[\\\""
            + value
            + "\\\"]\"}}}");
  }

  @Test
  void aReservedPoolGivesAPodNothingUnlessThePodAsksForTheAddress() {
    // Calico's rule: an IPReservation keeps addresses from automatic assignment only.
    n.client.create(dev.netctl.datastore.model.IPReservation.of("spare", CniNode.SPARE_CIDR4));
    try {
      var before = n.handles();
      String pod = n.newPod();
      String auto = annotated("cni.projectcalico.org/ipv4pools", CniNode.SPARE_CIDR4);
      CniNode.Run refused = n.exec("netctl", env("ADD", "auto1", pod, "web-0"), auto);
      assertThat(refused.exit()).as(refused.stdout()).isNotZero();
      assertThat(refused.stdout())
          .contains("only 0 available")
          .contains("IPReservations keep 256 of their 256 addresses out");
      assertThat(n.handles()).as("nothing kept by the refused ADD").isEqualTo(before);

      String fixed = annotated("cni.projectcalico.org/ipAddrs", "10.78.0.9");
      CniNode.Run add = n.exec("netctl", env("ADD", "fixed2", pod, "db-0"), fixed);
      assertThat(add.exit()).as(add.stdout()).isZero();
      assertThat(list(add.json(), "ips").getFirst().get("address")).isEqualTo("10.78.0.9/32");
      assertThat(n.exec("netctl", env("DEL", "fixed2", pod, "db-0"), fixed).exit()).isZero();
      n.deletePod(pod);
    } finally {
      n.client.delete(Kind.IP_RESERVATION, "spare");
    }
  }

  @Test
  void gcReleasesWhatNoListedAttachmentHolds() throws Exception {
    String a = n.newPod();
    String b = n.newPod();
    String conf = n.conf(true, false, null);
    assertThat(n.exec("netctl", env("ADD", "keep", a, "keep"), conf).exit()).isZero();
    assertThat(n.exec("netctl", env("ADD", "drop", b, "drop"), conf).exit()).isZero();
    // An ADD killed after IPAM: a handle of this node with no endpoint.
    n.ipam.autoAssign(AssignRequest.of(CniNode.NODE, "k8s-pod-network.killed", 1, 0));
    String gc =
        conf.replace("1.0.0", "1.1.0").substring(0, conf.length() - 1)
            + ",\"cni.dev/valid-attachments\":[{\"containerID\":\"keep\",\"ifname\":\"eth0\"}]}";
    CniNode.Run run = n.exec("netctl", Map.of("CNI_COMMAND", "GC"), gc);
    assertThat(run.exit()).as(run.stdout()).isZero();
    assertThat(n.handles()).containsExactly("k8s-pod-network.keep");
    assertThat(n.endpoints()).extracting(w -> w.spec().containerID()).containsExactly("keep");
    assertThat(n.caliLinks()).hasSize(1);
    assertThat(n.exec("netctl", env("DEL", "keep", a, "keep"), conf).exit()).isZero();
    n.deletePod(a);
    n.deletePod(b);
  }

  // What a runtime does beyond the basics above: every other spec version, a second interface of
  // one pod on another network, a retried ADD, names and namespaces that do not exist, and GC with
  // two networks on one node.

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
    assertThat(n.handles()).isEmpty();
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
      assertThat(n.endpoints()).hasSize(2);
      assertThat(n.handles())
          .containsExactlyInAnyOrder("k8s-pod-network.multi1", "net-b:net1:multi1");
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
      assertThat(n.handles()).containsExactly("k8s-pod-network.multi1");
      assertThat(n.exec("netctl", env("CHECK", "multi1", pod, "multi"), podNet).exit()).isZero();
      assertThat(CniNode.sh("ip -n " + pod + " -o addr show dev eth0")).contains(addressOf(first));
    } finally {
      del("netctl", net1, second);
      del("netctl", eth0, podNet);
      n.deletePod(pod);
    }
    assertThat(n.handles()).isEmpty();
    assertThat(n.endpoints()).isEmpty();
    assertThat(n.caliLinks()).isEmpty();
  }

  /**
   * Multus attaching one network twice (eth0 and net1 of one container on the same network): the
   * spec keys an attachment by network, container and interface, so each interface gets its own
   * addresses (handle {@code <network>:<ifname>:<containerID>} beside eth0's Calico-named {@code
   * <network>.<containerID>}), endpoint and veth, and DEL, CHECK and GC act on one interface only.
   */
  @Test
  void twoInterfacesOfOneContainerOnTheSameNetworkAreSeparateAttachments() {
    String pod = n.newPod();
    String conf = n.conf(true, true, null);
    Map<String, String> eth0 = env("ADD", "same1", pod, "same");
    Map<String, String> net1 = ifname(eth0, "net1");
    try {
      CniNode.Run first = n.exec("netctl", eth0, conf);
      assertThat(first.exit()).as("ADD eth0: %s", first.stdout()).isZero();
      CniNode.Run second = n.exec("netctl", net1, conf);
      assertThat(second.exit()).as("ADD net1: %s", second.stdout()).isZero();
      assertThat(list(second.json(), "interfaces").get(1)).containsEntry("name", "net1");
      assertThat(addressOf(second)).isNotEqualTo(addressOf(first));
      assertThat(list(second.json(), "routes")).as("eth0 keeps the default routes").isEmpty();
      assertThat(n.handles())
          .containsExactlyInAnyOrder("k8s-pod-network.same1", "k8s-pod-network:net1:same1");
      assertThat(n.endpoints())
          .extracting(w -> w.metadata().name())
          .containsExactlyInAnyOrder("node--1-k8s-same-eth0", "node--1-k8s-same-net1");
      assertThat(n.caliLinks()).hasSize(2);
      assertThat(CniNode.sh("ip -n " + pod + " -o addr show dev net1"))
          .contains(addressOf(second) + "/32");
      String prev1 =
          conf.substring(0, conf.length() - 1) + ",\"prevResult\":" + second.stdout().strip() + "}";
      Map<String, String> check1 = ifname(env("CHECK", "same1", pod, "same"), "net1");
      assertThat(n.exec("netctl", check1, prev1).exit()).as("CHECK net1").isZero();
      String prev0 =
          conf.substring(0, conf.length() - 1) + ",\"prevResult\":" + first.stdout().strip() + "}";
      CniNode.Run crossed = n.exec("netctl", check1, prev0);
      assertThat(crossed.code())
          .as("eth0's result is not net1's: %s", crossed.stdout())
          .isEqualTo(CniError.CHECK_FAILED);

      // DEL of net1, twice, leaves eth0 whole.
      Map<String, String> del1 = ifname(env("DEL", "same1", pod, "same"), "net1");
      assertThat(n.exec("netctl", del1, conf).exit()).isZero();
      assertThat(n.exec("netctl", del1, conf).exit()).as("a second DEL of net1").isZero();
      assertThat(n.handles()).containsExactly("k8s-pod-network.same1");
      assertThat(n.ipam.store().handle("k8s-pod-network.same1"))
          .hasValueSatisfying(h -> assertThat(h.value().total()).isEqualTo(2));
      assertThat(n.caliLinks()).hasSize(1);
      assertThat(CniNode.sh("ip -n " + pod + " link")).doesNotContain("net1");
      assertThat(n.exec("netctl", check1, conf).code()).isEqualTo(CniError.UNKNOWN_CONTAINER);
      assertThat(n.exec("netctl", env("CHECK", "same1", pod, "same"), prev0).exit()).isZero();

      // GC that lists only eth0 releases a net1 again added, and keeps eth0. A net1 attached
      // before handles were per interface (or by Calico) holds <network>.<id>: it stays too.
      assertThat(n.exec("netctl", net1, conf).exit()).isZero();
      n.ipam.autoAssign(AssignRequest.of(CniNode.NODE, "k8s-pod-network.old1", 1, 0));
      String gc =
          conf.replace("1.0.0", "1.1.0").substring(0, conf.length() - 1)
              + ",\"cni.dev/valid-attachments\":[{\"containerID\":\"same1\",\"ifname\":\"eth0\"},"
              + "{\"containerID\":\"old1\",\"ifname\":\"net1\"}]}";
      CniNode.Run run = n.exec("netctl", Map.of("CNI_COMMAND", "GC"), gc);
      assertThat(run.exit()).as(run.stdout()).isZero();
      assertThat(n.handles())
          .containsExactlyInAnyOrder("k8s-pod-network.same1", "k8s-pod-network.old1");
      n.ipam.releaseByHandle("k8s-pod-network.old1");
      assertThat(n.endpoints())
          .extracting(w -> w.metadata().name())
          .containsExactly("node--1-k8s-same-eth0");
      assertThat(n.caliLinks()).hasSize(1);
    } finally {
      del("netctl", net1, conf);
      del("netctl", eth0, conf);
      n.deletePod(pod);
    }
    assertThat(n.handles()).isEmpty();
    assertThat(n.endpoints()).isEmpty();
    assertThat(n.caliLinks()).isEmpty();
  }

  /**
   * A net1 attached (on its own network) before handles were per interface holds {@code
   * <network>.<containerID>}: this version's DEL of net1 releases that handle too, since a runtime
   * that never runs GC would leak it, but only because it holds net1's own addresses; eth0's handle
   * on the pod network stays.
   */
  @Test
  void theDelOfANet1AttachedBeforePerInterfaceHandlesReleasesItsOldHandle() {
    java.net.InetAddress a =
        n.ipam
            .autoAssign(AssignRequest.of(CniNode.NODE, "net-b.legacy1", 1, 0))
            .ipv4()
            .getFirst()
            .address();
    n.ipam.autoAssign(AssignRequest.of(CniNode.NODE, "k8s-pod-network.legacy1", 1, 0));
    n.client.create(
        new WorkloadEndpoint(
            dev.netctl.datastore.model.ObjectMeta.namespaced(
                "shop", "node--1-k8s-legacy-net1", Map.of()),
            new dev.netctl.datastore.model.WorkloadEndpointSpec(
                "k8s",
                null,
                CniNode.NODE,
                "legacy1",
                "legacy",
                "net1",
                null,
                List.of(Cidr.format(a) + "/32"),
                PodPlumbing.GATEWAY_V4,
                null,
                List.of("kns.shop"),
                "calilegacy0001",
                "02:00:00:00:00:01",
                List.of())));
    String netB = n.conf(true, false, null).replace("k8s-pod-network", "net-b");
    Map<String, String> del = ifname(env("DEL", "legacy1", "gone", "legacy"), "net1");
    try {
      assertThat(n.exec("netctl", del, netB).exit()).isZero();
      assertThat(n.handles()).containsExactly("k8s-pod-network.legacy1");
      assertThat(n.endpoints()).isEmpty();
    } finally {
      n.ipam.releaseByHandle("k8s-pod-network.legacy1");
      if (n.handles().contains("net-b.legacy1")) n.ipam.releaseByHandle("net-b.legacy1");
    }
  }

  /**
   * cri-dockerd names the sandbox's netns as {@code /proc/<pid>/ns/net} of its pause process, not a
   * bind mount under {@code /var/run/netns}: ADD, CHECK and DEL go through that path (the reason
   * deploy/'s DaemonSet shares the host's PID namespace: the agent resolves the path, not the
   * plugin).
   */
  @Test
  void aNetnsGivenAsAProcessPathIsPlumbed() throws Exception {
    String pod = n.newPod();
    Process pause = new ProcessBuilder("ip", "netns", "exec", pod, "sleep", "60").start();
    String path = "/proc/" + pause.pid() + "/ns/net";
    Map<String, String> env = env("ADD", "procns1", pod, "procns");
    env.put("CNI_NETNS", path);
    String conf = n.conf(true, true, null);
    try {
      String want = CniNode.sh("stat -L -c %i " + CniNode.netnsPath(pod)).strip();
      for (int i = 0; i < 250 && !CniNode.sh("stat -L -c %i " + path).strip().equals(want); i++) {
        Thread.sleep(20);
      }
      assertThat(CniNode.sh("stat -L -c %i " + path).strip())
          .as("sleep entered the pod")
          .isEqualTo(want);
      CniNode.Run add = n.exec("netctl", env, conf);
      assertThat(add.exit()).as("ADD: %s", add.stdout()).isZero();
      assertThat(list(add.json(), "interfaces").get(1)).containsEntry("sandbox", path);
      assertThat(CniNode.sh("ip -n " + pod + " -o addr show dev eth0"))
          .contains(addressOf(add) + "/32");
      Map<String, String> check = new HashMap<>(env);
      check.put("CNI_COMMAND", "CHECK");
      assertThat(n.exec("netctl", check, conf).exit()).isZero();
      Map<String, String> del = new HashMap<>(env);
      del.put("CNI_COMMAND", "DEL");
      assertThat(n.exec("netctl", del, conf).exit()).isZero();
      assertThat(CniNode.sh("ip -n " + pod + " link")).doesNotContain("eth0");
    } finally {
      del("netctl", env, conf);
      pause.destroyForcibly().waitFor();
      n.deletePod(pod);
    }
    assertThat(n.handles()).isEmpty();
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
      assertThat(n.endpoints()).hasSize(1);
      assertThat(n.handles()).containsExactly("k8s-pod-network.retry1");
      assertThat(CniNode.sh("ip -n " + pod + " -o -4 addr show dev eth0").strip().split("\n"))
          .hasSize(1)
          .allSatisfy(line -> assertThat(line).contains(addressOf(again) + "/32"));
      assertThat(n.exec("netctl", env("CHECK", "retry1", pod, "retry"), conf).exit()).isZero();
    } finally {
      del("netctl", env, conf);
      n.deletePod(pod);
    }
    assertThat(n.handles()).isEmpty();
    assertThat(n.endpoints()).isEmpty();
  }

  /**
   * Kubernetes allows a pod name of 253 characters; with the node, "k8s", the interface and the
   * doubled dashes the endpoint name passes the 253 an object name may have. ADD still attaches the
   * pod, and CHECK and DEL find the endpoint under the same (shortened) name.
   */
  @Test
  void aPodNameNearTheLimitOfKubernetesIsAttachedCheckedAndDeleted() {
    String pod = n.newPod();
    String podName = ("web-" + "a".repeat(60) + "-").repeat(4).substring(0, 250) + "z";
    String conf = n.conf(true, false, null);
    Map<String, String> env = env("ADD", "long1", pod, podName);
    try {
      CniNode.Run add = n.exec("netctl", env, conf);
      assertThat(add.exit()).as("ADD: %s", add.stdout()).isZero();
      assertThat(n.endpoints())
          .singleElement()
          .satisfies(
              w -> {
                assertThat(w.metadata().name()).hasSizeLessThanOrEqualTo(253);
                assertThat(w.spec().pod()).isEqualTo(podName);
              });
      assertThat(n.exec("netctl", env("CHECK", "long1", pod, podName), conf).exit())
          .as("CHECK finds the endpoint")
          .isZero();
      CniNode.Run del = n.exec("netctl", env("DEL", "long1", pod, podName), conf);
      assertThat(del.exit()).as("DEL: %s", del.stdout()).isZero();
      assertThat(n.endpoints()).as("DEL removed the endpoint").isEmpty();
      assertThat(n.handles()).isEmpty();
      assertThat(n.caliLinks()).isEmpty();
    } finally {
      del("netctl", env, conf);
      n.deletePod(pod);
    }
  }

  @Test
  void addIntoANetnsThatDoesNotExistIsCode4AndLeavesNothing() {
    String absent = n.prefix + "absent";
    CniNode.Run add =
        n.exec("netctl", env("ADD", "nonetns", absent, "absent"), n.conf(true, false, null));
    assertThat(add.exit()).isEqualTo(1);
    assertThat(add.code()).isEqualTo(CniError.INVALID_ENVIRONMENT);
    assertThat((String) add.json().get("msg")).contains(absent);
    assertThat(n.handles()).isEmpty();
    assertThat(n.endpoints()).isEmpty();
    assertThat(n.caliLinks()).isEmpty();
  }

  /**
   * SPEC.md: code 4 is for invalid environment variables, and its message names them. A CNI_NETNS
   * that exists but is a plain file is such a value, not a plumbing failure (101).
   */
  @Test
  void addIntoAPlainFileAsNetnsIsCode4NamingTheVariableAndLeavesNothing() throws Exception {
    java.nio.file.Path plain = n.dir.resolve("not-a-netns");
    java.nio.file.Files.writeString(plain, "");
    Map<String, String> env = env("ADD", "plainns", "unused", "plain");
    env.put("CNI_NETNS", plain.toString());
    CniNode.Run add = n.exec("netctl", env, n.conf(true, false, null));
    assertThat(add.exit()).isEqualTo(1);
    assertThat(add.code()).as(add.stdout()).isEqualTo(CniError.INVALID_ENVIRONMENT);
    assertThat((String) add.json().get("msg")).contains("CNI_NETNS", plain.toString());
    assertThat(n.handles()).isEmpty();
    assertThat(n.endpoints()).isEmpty();
    assertThat(n.caliLinks()).isEmpty();
  }

  /**
   * CHECK reads CNI_NETNS as ADD does (SPEC.md: required for CHECK; code 4 for a bad value): a
   * netns that is gone or is a plain file is the runtime's bad variable, named with its value,
   * before the agent looks at anything — not a list of plumbing problems (code 103). DEL does not
   * enter the namespace, so it does not refuse one: a leftover plain file at the path, a malformed
   * path or a namespace already gone, DEL still removes the veth and the endpoint and releases the
   * addresses (refused, it would leak them on every retry).
   */
  @Test
  void checkReadsCniNetnsAsAddDoesAndDelReleasesWhateverItIs() throws Exception {
    String pod = n.newPod();
    String conf = n.conf(true, false, null);
    java.nio.file.Path plain = n.dir.resolve("not-a-netns-either");
    java.nio.file.Files.writeString(plain, "");
    try {
      assertThat(n.exec("netctl", env("ADD", "nscheck1", pod, "nscheck"), conf).exit()).isZero();

      Map<String, String> checkPlain = env("CHECK", "nscheck1", pod, "nscheck");
      checkPlain.put("CNI_NETNS", plain.toString());
      CniNode.Run check = n.exec("netctl", checkPlain, conf);
      assertThat(check.code()).as(check.stdout()).isEqualTo(CniError.INVALID_ENVIRONMENT);
      assertThat((String) check.json().get("msg")).contains("CNI_NETNS", plain.toString());
      assertThat(n.caliLinks()).as("a refused CHECK removed nothing").hasSize(1);

      Map<String, String> delPlain = env("DEL", "nscheck1", pod, "nscheck");
      delPlain.put("CNI_NETNS", plain.toString());
      CniNode.Run del = n.exec("netctl", delPlain, conf);
      assertThat(del.exit()).as("DEL with a plain file as CNI_NETNS: %s", del.stdout()).isZero();
      assertThat(n.caliLinks()).isEmpty();
      assertThat(n.handles()).doesNotContain("k8s-pod-network.nscheck1");
      assertThat(n.endpoints()).noneMatch(w -> "nscheck1".equals(w.spec().containerID()));

      Map<String, String> delRelative = env("DEL", "nscheck1", pod, "nscheck");
      delRelative.put("CNI_NETNS", "run/netns/x");
      CniNode.Run rel = n.exec("netctl", delRelative, conf);
      assertThat(rel.exit()).as("DEL again, malformed CNI_NETNS: %s", rel.stdout()).isZero();

      n.deletePod(pod);
      String gone = CniNode.netnsPath(pod);
      CniNode.Run checkGone = n.exec("netctl", env("CHECK", "nscheck1", pod, "nscheck"), conf);
      assertThat(checkGone.code()).as(checkGone.stdout()).isEqualTo(CniError.INVALID_ENVIRONMENT);
      assertThat((String) checkGone.json().get("msg")).contains("CNI_NETNS", gone);

      CniNode.Run delGone = n.exec("netctl", env("DEL", "nscheck1", pod, "nscheck"), conf);
      assertThat(delGone.exit()).as("DEL after the netns is gone: %s", delGone.stdout()).isZero();
    } finally {
      del("netctl", env("DEL", "nscheck1", pod, "nscheck"), conf);
      n.deletePod(pod);
    }
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
    assertThat(n.handles()).isEmpty();
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
      assertThat(n.handles()).containsExactlyInAnyOrder("k8s-pod-network.gca", "other-net.gcb");
      assertThat(n.endpoints())
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
    assertThat(n.handles()).isEmpty();
  }

  /**
   * Network names may hold dots: {@code pods.extra.gcd} is a handle of network {@code pods.extra},
   * not of {@code pods} with container {@code extra.gcd}. GC of {@code pods} listing none of its
   * own pods keeps the live pod of {@code pods.extra} whole (handle, endpoint, veth).
   */
  @Test
  void gcOfANetworkLeavesTheAttachmentsOfALongerDottedNetworkName() {
    String a = n.newPod();
    String b = n.newPod();
    String pods = n.conf(true, false, null).replace("k8s-pod-network", "pods");
    String extra = pods.replace("\"pods\"", "\"pods.extra\"");
    Map<String, String> stale = env("ADD", "gce", a, "gc-e");
    Map<String, String> other = env("ADD", "gcd", b, "gc-d");
    try {
      assertThat(n.exec("netctl", stale, pods).exit()).isZero();
      assertThat(n.exec("netctl", other, extra).exit()).isZero();
      assertThat(n.handles()).containsExactlyInAnyOrder("pods.gce", "pods.extra.gcd");
      String gc =
          pods.replace("1.0.0", "1.1.0").substring(0, pods.length() - 1)
              + ",\"cni.dev/valid-attachments\":[]}";
      CniNode.Run run = n.exec("netctl", Map.of("CNI_COMMAND", "GC"), gc);
      assertThat(run.exit()).as(run.stdout()).isZero();
      assertThat(n.handles())
          .as("GC of \"pods\" released its own stale pod and nothing of \"pods.extra\"")
          .containsExactly("pods.extra.gcd");
      assertThat(n.endpoints()).extracting(w -> w.spec().containerID()).containsExactly("gcd");
      assertThat(n.caliLinks()).hasSize(1);
    } finally {
      del("netctl", stale, pods);
      del("netctl", other, extra);
      n.deletePod(a);
      n.deletePod(b);
    }
    assertThat(n.handles()).isEmpty();
  }

  /**
   * Debian's portmap parses our result as the types of the config's version: a 0.3.1 or 0.4.0
   * result (with {@code ips[].version}) must be one it accepts as {@code prevResult}; our CHECK
   * (0.4.0) takes portmap's result back, and DEL runs the chain backwards.
   */
  @ParameterizedTest(name = "cniVersion {0}")
  @ValueSource(strings = {"0.3.1", "0.4.0"})
  void olderVersionResultsChainIntoPortmap(String version) {
    String pod = n.newPod();
    String cid = "chainv" + version.replace(".", "");
    String netctlConf = n.conf(true, true, null).replace("1.0.0", version);
    String portmap =
        "{\"cniVersion\":\""
            + version
            + "\",\"name\":\"k8s-pod-network\",\"type\":\"portmap\",\"snat\":true,"
            + "\"capabilities\":{\"portMappings\":true},\"runtimeConfig\":{\"portMappings\":"
            + "[{\"hostPort\":18181,\"containerPort\":80,\"protocol\":\"tcp\"}]},\"prevResult\":";
    Map<String, String> env = env("ADD", cid, pod, "chain-" + cid);
    try {
      CniNode.Run first = n.exec("netctl", env, netctlConf);
      assertThat(first.exit()).as(first.stdout()).isZero();
      CniNode.Run second =
          n.exec("/usr/lib/cni/portmap", env, portmap + first.stdout().strip() + "}");
      assertThat(second.exit()).as("portmap: %s %s", second.stdout(), second.stderr()).isZero();
      assertThat(second.json().get("cniVersion")).isEqualTo(version);
      assertThat(n.node("iptables-save -t nat")).contains("18181");
      String result = second.stdout().strip();
      if (version.equals("0.4.0")) {
        Map<String, String> check = env("CHECK", cid, pod, "chain-" + cid);
        CniNode.Run c1 =
            n.exec(
                "netctl",
                check,
                netctlConf.substring(0, netctlConf.length() - 1)
                    + ",\"prevResult\":"
                    + result
                    + "}");
        assertThat(c1.exit()).as("CHECK netctl: %s", c1.stdout()).isZero();
        // Not portmap's own CHECK: Debian's 1.1.1 fails it for every pod when ip6tables works
        // (it checks each address's DNAT chain in ip6tables too; see the chain test above).
      }
      Map<String, String> del = env("DEL", cid, pod, "chain-" + cid);
      assertThat(n.exec("/usr/lib/cni/portmap", del, portmap + result + "}").exit()).isZero();
      assertThat(n.node("iptables-save -t nat")).doesNotContain("18181");
    } finally {
      del("netctl", env, netctlConf);
      n.deletePod(pod);
    }
    assertThat(n.handles()).isEmpty();
    assertThat(n.caliLinks()).isEmpty();
  }
}
