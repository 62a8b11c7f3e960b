package dev.netctl.datastore.migrate;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Key;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.ResourceCodec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** What the migration tests store and migrate: resources of every kind and raw IPAM-like kinds. */
final class MigrationFixtures {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-05T12:00:00Z"), ZoneOffset.UTC);

  /** Raw kinds standing in for ipam-blocks' (this module cannot see them): any JSON object. */
  static final List<String> RAW_KINDS = List.of("IPAMBlock", "BlockAffinity", "IPAMHandle");

  private MigrationFixtures() {}

  static List<StoredKind> kinds() {
    ResourceCodec codec = new ResourceCodec();
    List<StoredKind> out = new ArrayList<>(StoredKind.resources());
    for (String k : RAW_KINDS) out.add(new StoredKind(k, (key, v) -> codec.readJsonTree(v)));
    return out;
  }

  static Migration migration() {
    return new Migration(kinds(), CLOCK);
  }

  /** A small cluster: every resource kind, quoting traps, and raw objects with nested values. */
  static void populate(Datastore store) {
    ResourceClient client = new ResourceClient(store);
    client.applyAll(
        new ResourceCodec()
            .read(
                """
                apiVersion: projectcalico.org/v3
                kind: IPPool
                metadata: {name: pool-v4, labels: {tier: "123"}}
                spec: {cidr: 10.1.0.0/16, blockSize: 26, natOutgoing: true}
                ---
                apiVersion: projectcalico.org/v3
                kind: IPPool
                metadata: {name: pool-v6}
                spec: {cidr: "fd00:1::/112", blockSize: 122}
                ---
                apiVersion: projectcalico.org/v3
                kind: BGPConfiguration
                metadata: {name: default}
                spec: {asNumber: 64512, communities: [{name: c, value: "65000:100"}]}
                ---
                apiVersion: projectcalico.org/v3
                kind: BGPConfiguration
                metadata: {name: node.node-1}
                spec: {listenPort: 1790}
                ---
                apiVersion: projectcalico.org/v3
                kind: Node
                metadata: {name: node-1, labels: {"yes": "no"}}
                spec: {bgp: {ipv4Address: 10.0.0.1/24}}
                ---
                apiVersion: projectcalico.org/v3
                kind: BGPPeer
                metadata: {name: tor}
                spec: {peerIP: 10.0.0.254, asNumber: 65001, node: node-1}
                ---
                apiVersion: projectcalico.org/v3
                kind: IPAMConfiguration
                metadata: {name: default}
                spec: {strictAffinity: false, maxBlocksPerHost: 4}
                ---
                apiVersion: projectcalico.org/v3
                kind: WorkloadEndpoint
                metadata: {name: node--1-k8s-web-eth0, namespace: shop, labels: {app: web}}
                spec: {node: node-1, containerID: abc123, pod: web, endpoint: eth0,
                       ipNetworks: [10.1.0.5/32], interfaceName: cali0123456789a}
                """));
    raw(
        store,
        "IPAMBlock",
        "10-1-0-0-26",
        "{\"cidr\":\"10.1.0.0/26\",\"affinity\":\"host:node-1\",\"allocations\":[0,null,1],"
            + "\"unallocated\":[1,3],\"attributes\":[{\"handle\":\"k8s-pod-network.abc123\"},"
            + "{\"handle\":\"ipip-tunnel-addr-node-1\",\"node\":\"node-1\"}],"
            + "\"sequenceNumber\":7,\"sequenceNumberForAllocation\":{\"0\":5,\"2\":6},"
            + "\"deleted\":false}");
    raw(
        store,
        "BlockAffinity",
        "node-1-10-1-0-0-26",
        "{\"node\":\"node-1\",\"cidr\":\"10.1.0.0/26\",\"state\":\"CONFIRMED\"}");
    raw(
        store,
        "IPAMHandle",
        "k8s-pod-network.abc123",
        "{\"handleID\":\"k8s-pod-network.abc123\",\"block\":{\"10.1.0.0/26\":1}}");
    raw(
        store,
        "IPAMHandle",
        "ipip-tunnel-addr-node-1",
        "{\"handleID\":\"ipip-tunnel-addr-node-1\",\"block\":{\"10.1.0.0/26\":1}}");
  }

  static void raw(Datastore store, String kind, String name, String json) {
    store.create(new Key(kind, name), json.getBytes(StandardCharsets.UTF_8)).join();
  }
}
