package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netctl.datastore.Datastores;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.Kind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job: the demo cluster converges, every node learns exactly the other nodes'
 * blocks with the owner as next hop, and a second run on the same store changes no resource.
 */
@Timeout(120)
class DemoCommandTest {

  @TempDir Path dir;

  private static final Pattern BLOCK_ROW =
      Pattern.compile("^Block\\s+(192\\.168\\.\\d+\\.\\d+/26)\\s", Pattern.MULTILINE);

  @Test
  void everyNodeLearnsTheOtherNodesBlocksOverBgp() throws Exception {
    Cli cli = new Cli("embedded:" + dir.resolve("demo.db"));
    Cli.Run run = cli.run("demo", "--bgp-only", "--bgp-port", freePort());
    assertThat(run.exitCode()).as(run.toString()).isZero();

    // The IPv4 blocks IPAM claimed: one per node, since each node runs 4 pods.
    List<String> blocks = new ArrayList<>();
    Matcher m = BLOCK_ROW.matcher(run.out());
    while (m.find()) blocks.add(m.group(1));
    assertThat(blocks).as(run.out()).hasSize(3).doesNotHaveDuplicates();

    for (int node = 1; node <= 3; node++) {
      String section = section(run.out(), "node-" + node + " routes learned:");
      List<String> learned =
          section
              .lines()
              .skip(1)
              .map(l -> l.split("\\s+")[0] + " via " + l.split("\\s+")[1])
              .toList();
      assertThat(learned).as("node-%d learns the two other nodes' blocks", node).hasSize(2);
      for (String route : learned) {
        assertThat(route).doesNotContain("via 127.0.10." + node);
        assertThat(blocks).contains(route.substring(0, route.indexOf(' ')));
      }
      assertThat(section(run.out(), "node-" + node + " (127.0.10." + node + ") BGP peers:"))
          .contains("Established")
          .doesNotContain("start");
    }
  }

  @Test
  void aSecondRunLeavesEveryResourceUnchanged() throws Exception {
    String spec = "embedded:" + dir.resolve("demo.db");
    Cli cli = new Cli(spec);
    String port = freePort();
    Cli.Run first = cli.run("demo", "--bgp-only", "--bgp-port", port);
    assertThat(first.exitCode()).as(first.toString()).isZero();
    long before = poolRevision(spec);

    Cli.Run second = cli.run("demo", "--bgp-only", "--bgp-port", port);
    assertThat(second.exitCode()).as(second.toString()).isZero();
    assertThat(second.out()).contains("ippool.netctl.dev/default-ipv4-ippool unchanged");
    assertThat(poolRevision(spec)).isEqualTo(before);
  }

  /**
   * As root, the demo is a real cluster: node agents in network namespaces, pods through the CNI
   * plugin; every pod reaches every other, every agent is ready with its mesh up, and it leaves no
   * namespace, no agent and no pod address behind (the tunnel addresses stay with their nodes).
   */
  @Test
  @Timeout(300)
  void asRootTheDemoIsAClusterInNetworkNamespacesWhereEveryPodReachesEveryOther() throws Exception {
    String why = NetnsDemo.unavailableBecause();
    if (why != null) {
      if ("true".equals(System.getenv("CI"))) throw new IllegalStateException(why);
      org.junit.jupiter.api.Assumptions.abort(why);
    }
    String spec = "embedded:" + dir.resolve("demo.db");
    Cli.Run run = new Cli(spec).run("demo");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    String matrix = section(run.out(), "== every pod pings every other pod");
    assertThat(matrix.lines().skip(2).toList())
        .as(matrix)
        .hasSize(3 * NetnsDemo.PODS_PER_NODE)
        .allMatch(l -> l.split("\\s+").length == 2 + 3 * NetnsDemo.PODS_PER_NODE)
        .noneMatch(l -> l.contains("FAIL"));
    for (String node : NetnsDemo.NODES) {
      String status = section(run.out(), "== netctl node status (in ndemo-" + node + ")");
      assertThat(status).contains("netctl node agent " + node + " is ready");
      assertThat(run.out())
          .containsPattern(
              "(?s)== netctl node status \\(in ndemo-"
                  + node
                  + "\\).*?IPv4 BGP status.*?Established.*?Established");
    }
    assertThat(run.out()).contains("Every pod reached every other pod");
    String left = NetnsDemo.Exec.run(10, null, "ip", "netns", "list").out();
    assertThat(left).doesNotContain(NetnsDemo.PREFIX);
    Cli.Run usage = new Cli(spec).run("ipam", "show");
    assertThat(usage.out()).as("only the three VXLAN tunnel addresses remain").contains("3 (0%)");
  }

  /**
   * A port free on all three demo node addresses, so parallel builds on one machine don't clash.
   */
  private static String freePort() throws java.io.IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      int port;
      try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.10.1"))) {
        port = s.getLocalPort();
      }
      if (bindable("127.0.10.2", port) && bindable("127.0.10.3", port)) return String.valueOf(port);
    }
    throw new IllegalStateException("no port free on 127.0.10.1-3 after 20 attempts");
  }

  private static boolean bindable(String address, int port) {
    try (var s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getByName(address))) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static long poolRevision(String spec) {
    try (var store = Datastores.open(spec, null)) {
      return Long.parseLong(
          new ResourceClient(store)
              .get(Kind.IP_POOL, "default-ipv4-ippool")
              .metadata()
              .resourceVersion());
    }
  }

  /** The lines after {@code heading} up to the next blank line. */
  private static String section(String out, String heading) {
    int start = out.indexOf(heading);
    assertThat(start).as("output has '%s':%n%s", heading, out).isNotNegative();
    int end = out.indexOf("\n\n", start);
    return out.substring(start + heading.length() + 1, end < 0 ? out.length() : end);
  }
}
