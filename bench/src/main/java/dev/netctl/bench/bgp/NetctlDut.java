package dev.netctl.bench.bgp;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * netctl's own speaker as the device under test, driven through the product path: {@code netctl bgp
 * run --config dut.yaml} from the shaded CLI jar ({@code ctl/target/netctl.jar}), in a JVM of its
 * own so its resident memory is measured apart from the harness.
 *
 * <p>Like the daemon DUTs it listens on the DUT address with every tester as a passive iBGP
 * route-reflector client in the same AS (the cluster id defaults to the router id, which is the DUT
 * address, as BIRD's {@code rr cluster id} is configured). The JVM flags are what a user would set
 * for a routing daemon on a small box ({@link #command}), with a heap sized for the routes it will
 * hold ({@link #heapMegabytes}).
 */
final class NetctlDut extends DaemonDut {
  /** Where {@code ./mvnw -pl ctl package} leaves the runnable jar, from the repository root. */
  static final Path JAR = Path.of("ctl", "target", "netctl.jar");

  /** Printed by {@code netctl bgp run} once every peer is configured. */
  private static final String READY = "bgp speaker AS ";

  @Override
  public String name() {
    return "netctl";
  }

  /** Renders the speaker's YAML config (docs/examples/speaker.yaml documents the fields). */
  static String render(DutSetup s) {
    StringBuilder b = new StringBuilder();
    b.append("routerId: ").append(s.ip()).append('\n');
    b.append("asNumber: ").append(s.asn()).append('\n');
    b.append("listen:\n");
    b.append("  address: ").append(s.ip()).append('\n');
    b.append("  port: ").append(s.port()).append('\n');
    b.append("peers:\n");
    for (Inet4Address c : s.clients()) {
      b.append("  - address: ").append(c.getHostAddress()).append('\n');
      b.append("    asNumber: ").append(s.asn()).append('\n');
      b.append("    passive: true\n");
      b.append("    families: [ipv4]\n");
      b.append("    routeReflectorClient: true\n");
    }
    // Port 0: the endpoint is unused here, and a fixed port could collide with a user's speaker.
    b.append("admin:\n");
    b.append("  address: ").append(s.ip()).append(":0\n");
    return b.toString();
  }

  /**
   * Heap for a scenario: a base for the JVM's own objects and the sessions' buffers, plus the
   * expected routes at what the RIB holds per route (≈ 19 B measured by {@code RibMemoryProbe},
   * with room for the Loc-RIB's old and new arrays while it doubles, and for pending changes).
   */
  static int heapMegabytes(DutSetup s) {
    long perSession = 16L * 1024; // codec contexts, FSM, channel, update-group membership
    long perRoute = 40; // Loc-RIB (with shared Adj-RIB-In entries), measured ≈ 19 B
    long bytes = (64L << 20) + s.clients().size() * perSession + s.routes() * perRoute;
    return (int) ((bytes + (1 << 20) - 1) >> 20);
  }

  // Routes from which the heap is committed whole from the start (see command).
  static final int LARGE_TABLE = 100_000;

  /**
   * The JVM command that runs {@code netctl bgp run} on {@code config}: a heap of the scenario's
   * size (committed, touched only as used), a quarter of it young generation, the serial collector
   * (no GC threads competing with the session loop on 2 cores, smallest footprint), compact object
   * headers, and the C1 compiler only: the speaker's work comes in bursts right after start, where
   * C2's compile threads cost CPU the loop needs and 20+ MB of compiler arenas (measured: fan-out
   * peak RSS 121 MB with C2, 90 MB without).
   */
  static List<String> command(DutSetup s, Path config, Path jar) {
    int heap = heapMegabytes(s);
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-Xmx" + heap + "m");
    if (s.routes() >= LARGE_TABLE) {
      // A large table: the whole quarter-heap young generation from the start. A heap starting
      // small caps the young generation to fit it, and the load then runs many more collections,
      // each scanning the big tables' dirty cards (measured, 1M routes: 58 -> 20 collections,
      // pauses 1.5 -> 0.6 s). Committed pages are not resident until used.
      cmd.add("-Xms" + heap + "m");
      cmd.add("-Xmn" + heap / 4 + "m");
    } else {
      cmd.add("-Xms16m");
      cmd.add("-XX:NewRatio=3");
    }
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:+UseCompactObjectHeaders");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.addAll(extraJvmOptions());
    cmd.add("-jar");
    cmd.add(jar.toAbsolutePath().toString());
    cmd.add("bgp");
    cmd.add("run");
    cmd.add("--config");
    cmd.add(config.toString());
    return cmd;
  }

  /** Extra flags from {@code NETCTL_BENCH_JVM_OPTS} (e.g. a JFR recording), split on spaces. */
  private static List<String> extraJvmOptions() {
    String extra = System.getenv("NETCTL_BENCH_JVM_OPTS");
    return extra == null || extra.isBlank() ? List.of() : List.of(extra.trim().split("\\s+"));
  }

  @Override
  public void start(DutSetup s) {
    if (!Files.isRegularFile(JAR)) {
      throw new BenchException(
          JAR.toAbsolutePath() + " is missing: build it with ./mvnw -pl ctl -am package");
    }
    Path conf = s.dir().resolve("dut.yaml");
    try {
      Files.writeString(conf, render(s));
    } catch (IOException e) {
      throw new BenchException("cannot write " + conf + ": " + e, e);
    }
    launch("netctl", command(s, conf, JAR), s);
    // The listener binds before the peers are added: a tester connecting in between is refused.
    awaitLog(READY, Duration.ofSeconds(60));
  }
}
