package dev.netctl.ctl;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.Entry;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.IPPool;
import dev.netctl.datastore.model.IPPoolSpec;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Node;
import dev.netctl.datastore.model.NodeSpec;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.ipam.store.IpamStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A datastore seeded with pools and nodes, with {@code netctl} run in-process against it the way a
 * user runs it from a shell (a fresh command line and a fresh datastore connection per call).
 */
final class IpamCluster {

  /** The outcome of one invocation. */
  record Run(int exitCode, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private final String spec;

  IpamCluster(String spec) {
    this.spec = spec;
  }

  /** A cluster on a fresh embedded (sqlite) store in {@code dir}. */
  static IpamCluster embedded(Path dir) {
    return new IpamCluster("embedded:" + dir.resolve("netctl.db"));
  }

  /**
   * The cluster most tests use: {@code pool-a} 10.10.0.0/24 in /26 blocks for zone a, {@code
   * pool-v6} fd00:10::/120 in /122 blocks for every node, nodes node-1 and node-2 in zone a and
   * node-3 in zone b (so no IPv4 pool selects node-3).
   */
  IpamCluster standard() {
    return pool("pool-a", "10.10.0.0/24", 26, "zone == 'a'")
        .pool("pool-v6", "fd00:10::/120", 122)
        .node("node-1", Map.of("zone", "a"))
        .node("node-2", Map.of("zone", "a"))
        .node("node-3", Map.of("zone", "b"));
  }

  String spec() {
    return spec;
  }

  Run run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--datastore");
    all.add(spec);
    return raw(all.toArray(String[]::new));
  }

  /** Runs exactly {@code args}, adding no datastore option. */
  static Run raw(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      code = Netctl.execute(System.in, o, e, args);
    }
    return new Run(code, out.toString(), err.toString());
  }

  /** Runs and requires exit 0. */
  Run ok(String... args) {
    Run r = run(args);
    if (r.exitCode() != 0) {
      throw new AssertionError("netctl " + String.join(" ", args) + " failed: " + r);
    }
    return r;
  }

  IpamCluster pool(String name, String cidr, int blockSize) {
    return pool(name, cidr, blockSize, "all()");
  }

  IpamCluster pool(String name, String cidr, int blockSize, String nodeSelector) {
    return withClient(
        c ->
            c.create(
                IPPool.of(
                    name,
                    IPPoolSpec.of(cidr).withBlockSize(blockSize).withNodeSelector(nodeSelector))));
  }

  IpamCluster node(String name, Map<String, String> labels) {
    return withClient(
        c ->
            c.create(
                new Node(
                    ObjectMeta.named(name, labels), new NodeSpec(null, null, null, null, null))));
  }

  IpamCluster deleteNode(String name) {
    return withClient(c -> c.delete(Kind.NODE, name));
  }

  /** Runs {@code work} with the resource client of a connection opened for it. */
  IpamCluster withClient(Consumer<ResourceClient> work) {
    try (Datastore store = Datastores.open(spec, null)) {
      work.accept(new ResourceClient(store));
    }
    return this;
  }

  /** Runs {@code work} with the IPAM store of a connection opened for it. */
  IpamCluster withIpamStore(Consumer<IpamStore> work) {
    try (Datastore store = Datastores.open(spec, null)) {
      work.accept(new IpamStore(store));
    }
    return this;
  }

  /**
   * Every stored entry of every resource and IPAM kind with its revision: two equal snapshots mean
   * nothing was written in between.
   */
  List<String> snapshot() {
    List<String> kinds = new ArrayList<>();
    for (Kind<?> k : Kind.all()) kinds.add(k.storageKind());
    kinds.addAll(List.of(IpamStore.BLOCK_KIND, IpamStore.AFFINITY_KIND, IpamStore.HANDLE_KIND));
    List<String> lines = new ArrayList<>();
    try (Datastore store = Datastores.open(spec, null)) {
      for (String kind : kinds) {
        for (Entry e : store.list(kind).get(20, TimeUnit.SECONDS).entries()) {
          lines.add(
              kind
                  + "/"
                  + e.key().name()
                  + "@"
                  + e.revision()
                  + " "
                  + new String(e.value(), StandardCharsets.UTF_8));
        }
      }
    } catch (Exception e) {
      throw new AssertionError("cannot read " + spec, e);
    }
    return lines;
  }
}
