package dev.netctl.ipam.allocator;

import dev.netctl.datastore.embedded.EmbeddedDatastore;
import dev.netctl.ipam.block.Cidr;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@link Workload} as its own OS process, for {@link EmbeddedMultiProcessTest}: runs against an
 * embedded store file and writes what it got to a result file.
 *
 * <p>Arguments: store file, result file, handle prefix, seed, nodes (comma separated), threads per
 * node, operations per thread.
 */
public final class WorkloadProcess {
  private WorkloadProcess() {}

  /** The environment every process builds identically. */
  static StaticEnvironment environment(List<String> nodes) {
    StaticEnvironment env = new StaticEnvironment().pool(PoolSpec.of("v4", "10.0.0.0/20", 28));
    nodes.forEach(n -> env.node(n, Map.of()));
    env.settings = new IpamSettings(false, true, 0);
    return env;
  }

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    Path result = Path.of(args[1]);
    String prefix = args[2];
    long seed = Long.parseLong(args[3]);
    List<String> nodes = List.of(args[4].split(","));
    int threads = Integer.parseInt(args[5]);
    int ops = Integer.parseInt(args[6]);
    StaticEnvironment env = environment(nodes);
    try (EmbeddedDatastore ds = new EmbeddedDatastore(file)) {
      Workload.Outcome out =
          new Workload(nodes, threads, ops, 6, 0, seed, n -> new IpamAllocator(ds, env))
              .run(prefix, 150);
      List<String> lines = new ArrayList<>();
      for (Map.Entry<InetAddress, String> e : out.live().entrySet()) {
        lines.add("live " + Cidr.format(e.getKey()) + " " + e.getValue());
      }
      for (String h : out.uncertainHandles()) lines.add("uncertain " + h);
      for (String d : out.duplicates()) lines.add("duplicate " + d.replace(' ', '_'));
      lines.add("assigns " + out.assigns());
      for (String s : out.failureSamples()) lines.add("failure " + s.replace('\n', ' '));
      Files.write(result, lines);
    }
    System.exit(0);
  }
}
