package dev.netctl.ctl;

import dev.netctl.datastore.Datastore;
import dev.netctl.datastore.client.Applied;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.ResourceCodec;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code netctl demo}: a small cluster on one machine, on the embedded datastore by default. It
 * applies a Calico-style manifest (cluster BGP configuration, a default IPv4 and IPv6 pool, three
 * nodes) idempotently and shows the result, so a second run changes nothing.
 */
@Command(
    name = "demo",
    description = "Run a small multi-node netctl cluster on this machine (embedded datastore).")
final class DemoCommand implements Callable<Integer> {

  static final String MANIFEST =
      """
      apiVersion: projectcalico.org/v3
      kind: BGPConfiguration
      metadata:
        name: default
      spec:
        asNumber: 64512
        nodeToNodeMeshEnabled: true
      ---
      apiVersion: projectcalico.org/v3
      kind: IPPool
      metadata:
        name: default-ipv4-ippool
      spec:
        cidr: 192.168.0.0/16
        blockSize: 26
        vxlanMode: CrossSubnet
        natOutgoing: true
        nodeSelector: all()
      ---
      apiVersion: projectcalico.org/v3
      kind: IPPool
      metadata:
        name: default-ipv6-ippool
      spec:
        cidr: fd00:10:244::/48
        blockSize: 122
        nodeSelector: all()
      ---
      apiVersion: projectcalico.org/v3
      kind: Node
      metadata:
        name: node-1
        labels: {zone: a}
      spec:
        bgp: {ipv4Address: 127.0.10.1/8}
      ---
      apiVersion: projectcalico.org/v3
      kind: Node
      metadata:
        name: node-2
        labels: {zone: a}
      spec:
        bgp: {ipv4Address: 127.0.10.2/8}
      ---
      apiVersion: projectcalico.org/v3
      kind: Node
      metadata:
        name: node-3
        labels: {zone: b}
      spec:
        bgp: {ipv4Address: 127.0.10.3/8}
      """;

  // The root declares --datastore once (INHERIT scope); a second declaration here would clash.
  @ParentCommand Netctl root;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    DatastoreOptions datastore = root.datastore();
    out.println("netctl demo on datastore " + datastore.effectiveSpec());
    out.println();
    ResourceCodec codec = new ResourceCodec();
    List<Resource> manifest = codec.read(MANIFEST, "demo manifest");
    try (Datastore store = datastore.open()) {
      ResourceClient client = new ResourceClient(store);
      out.println("== apply: the cluster manifest (Calico v3 YAML, converted on the way in)");
      for (Applied<Resource> a : client.applyAll(manifest)) {
        Resource r = a.resource();
        out.println(
            r.kind().name().toLowerCase(java.util.Locale.ROOT)
                + "/"
                + r.metadata().name()
                + " "
                + a.outcome().verb());
      }
      out.println();
      for (Kind<?> kind : List.of(Kind.IP_POOL, Kind.NODE)) {
        out.println(
            "== netctl get " + kind.plural().toLowerCase(java.util.Locale.ROOT) + " -o wide");
        Table t = new Table(kind.headers(true));
        for (Resource r : client.list(kind)) t.row(kind.row(r, true));
        t.print(out);
        out.println();
      }
    }
    out.flush();
    return ExitCode.OK;
  }
}
