package dev.netctl.ipam.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.embedded.EmbeddedDatastore;
import dev.netctl.ipam.block.Cidr;
import dev.netctl.ipam.check.IpamChecker;
import dev.netctl.ipam.check.IpamReport;
import dev.netctl.ipam.store.IpamStore;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several OS processes, each with its own allocators for the same nodes, against one embedded store
 * file: the store's CAS is the only thing they share, and no address is handed out twice.
 */
class EmbeddedMultiProcessTest {

  @Test
  @Timeout(240)
  void threeProcessesSharingNodesNeverShareAnAddress(@TempDir Path dir) throws Exception {
    long seed = System.nanoTime();
    Path file = dir.resolve("netctl.db");
    List<String> nodes = List.of("node-0", "node-1", "node-2", "node-3");
    // Create the schema once before the processes race to open the file.
    new EmbeddedDatastore(file).close();
    String java = ProcessHandle.current().info().command().orElseThrow();
    List<Process> procs = new ArrayList<>();
    List<Path> results = new ArrayList<>();
    try {
      for (int p = 0; p < 3; p++) {
        Path result = dir.resolve("result-" + p);
        results.add(result);
        procs.add(
            new ProcessBuilder(
                    java,
                    "-cp",
                    System.getProperty("java.class.path"),
                    WorkloadProcess.class.getName(),
                    file.toString(),
                    result.toString(),
                    "p" + p + "-",
                    Long.toString(seed + p),
                    String.join(",", nodes),
                    "2",
                    "60")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("log-" + p).toFile())
                .start());
      }
      for (int p = 0; p < procs.size(); p++) {
        assertThat(procs.get(p).waitFor(200, TimeUnit.SECONDS))
            .as("process %d finished", p)
            .isTrue();
        assertThat(procs.get(p).exitValue())
            .as("process %d exit; log:%n%s", p, Files.readString(dir.resolve("log-" + p)))
            .isZero();
      }
    } finally {
      for (Process p : procs) p.destroyForcibly();
    }

    Map<InetAddress, String> live = new HashMap<>();
    List<String> duplicates = new ArrayList<>();
    Set<String> uncertain = new HashSet<>();
    int assigns = 0;
    for (Path r : results) {
      for (String line : Files.readAllLines(r)) {
        String[] f = line.split(" ", 3);
        switch (f[0]) {
          case "live" -> {
            String prev = live.put(Cidr.parseAddress(f[1]), f[2]);
            if (prev != null) duplicates.add(f[1] + " " + prev + " " + f[2]);
          }
          case "uncertain" -> uncertain.add(f[1]);
          case "duplicate" -> duplicates.add(f[1]);
          case "assigns" -> assigns += Integer.parseInt(f[1]);
          default -> {}
        }
      }
    }
    System.out.printf("seed %d: %d assigns, %d uncertain%n", seed, assigns, uncertain.size());
    assertThat(assigns).as("seed %d", seed).isGreaterThan(400);
    assertThat(duplicates).as("seed %d: addresses handed out twice", seed).isEmpty();
    try (EmbeddedDatastore ds = new EmbeddedDatastore(file)) {
      IpamStore store = new IpamStore(ds);
      Workload.releaseUncertain(ds, WorkloadProcess.environment(nodes), uncertain);
      assertThat(Workload.allocated(store)).as("seed %d", seed).isEqualTo(live);
      Map<String, Integer> expectedTotals = new HashMap<>();
      live.values().forEach(h -> expectedTotals.merge(h, 1, Integer::sum));
      assertThat(Workload.handleTotals(store))
          .as("seed %d: handle counts balance", seed)
          .isEqualTo(expectedTotals);
      IpamReport report =
          new IpamChecker(store, WorkloadProcess.environment(nodes)).check(Set.copyOf(nodes));
      assertThat(report.clean()).as("seed %d: %s", seed, report).isTrue();
    }
  }
}
