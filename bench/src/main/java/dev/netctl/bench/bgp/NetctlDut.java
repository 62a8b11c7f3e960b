package dev.netctl.bench.bgp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * netctl's own speaker as the device under test, driven through the product path: {@code netctl bgp
 * run --config dut.yaml} from the shaded CLI jar ({@code ctl/target/netctl.jar}), in a JVM of its
 * own so its resident memory is measured apart from the harness.
 *
 * <p>Like the daemon DUTs it listens on the DUT address with every tester as a passive iBGP
 * route-reflector client in the same AS (the cluster id defaults to the router id, which is the DUT
 * address, as BIRD's {@code rr cluster id} is configured). It runs exactly as a user runs it: the
 * {@code ./netctl} launcher with its defaults ({@link #command}).
 */
final class NetctlDut extends DaemonDut {
  /** Where {@code ./mvnw -pl ctl package} leaves the runnable jar, from the repository root. */
  static final Path JAR = Path.of("ctl", "target", "netctl.jar");

  /** The launcher a user runs, at the repository root. */
  static final Path LAUNCHER = Path.of("netctl");

  /** The admin endpoint's socket file in the setup's directory. */
  static final String ADMIN_SOCKET = "admin.sock";

  /** What {@code bgp peers} says of a member served apart from its update group. */
  static final String SPLIT_NOTICE = "split off its update group";

  private Path admin;

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
    // A socket file in the temp dir: no port to collide with a user's speaker, and the harness
    // asks it whether a stalled client was split off (splitMembers).
    b.append("admin:\n");
    b.append("  unixSocket: ").append(s.dir().resolve(ADMIN_SOCKET)).append('\n');
    return b.toString();
  }

  /**
   * The command a user types: {@code ./netctl bgp run --config dut.yaml} through the launcher at
   * the repository root, with the launcher's own JVM defaults for a long-running verb and no flag
   * of the harness's (the launcher execs the JVM, so the pid measured is the JVM's).
   */
  static List<String> command(Path config, Path launcher) {
    return List.of(
        launcher.toAbsolutePath().toString(), "bgp", "run", "--config", config.toString());
  }

  private static boolean prepared;

  /**
   * Runs {@code ./netctl version} once per harness, as any earlier command of a user would: the
   * launcher's first command after a build records its class-data-sharing archive (a few seconds),
   * which is set-up of the install, not start-up of the speaker being measured.
   */
  private static synchronized void prepareLauncher() {
    if (prepared) {
      return;
    }
    try {
      Process p =
          new ProcessBuilder(LAUNCHER.toAbsolutePath().toString(), "version")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new BenchException("./netctl version failed or took over 120 s");
      }
    } catch (IOException e) {
      throw new BenchException("cannot run ./netctl: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted while preparing ./netctl");
    }
    prepared = true;
  }

  /** Counts the peers whose notices in {@code GET /peers} of the admin endpoint say so. */
  @Override
  public long splitMembers() {
    if (admin == null) {
      return -1;
    }
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(admin))) {
      ch.write(
          ByteBuffer.wrap(
              "GET /peers HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII)));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      while (ch.read(buf.clear()) >= 0) {
        out.write(buf.array(), 0, buf.position());
      }
      String body = out.toString(StandardCharsets.UTF_8);
      return body.split(SPLIT_NOTICE, -1).length - 1;
    } catch (IOException e) {
      throw new BenchException("cannot ask " + admin + " for the peers: " + e, e);
    }
  }

  @Override
  public void start(DutSetup s) {
    if (!Files.isRegularFile(JAR)) {
      throw new BenchException(
          JAR.toAbsolutePath() + " is missing: build it with ./mvnw -pl ctl -am package");
    }
    Path conf = s.dir().resolve("dut.yaml");
    admin = s.dir().resolve(ADMIN_SOCKET);
    try {
      Files.writeString(conf, render(s));
    } catch (IOException e) {
      throw new BenchException("cannot write " + conf + ": " + e, e);
    }
    prepareLauncher();
    launch("netctl", command(conf, LAUNCHER), s);
    // The listener binds before the peers are added: a tester connecting in between is refused.
    awaitLog(READY, Duration.ofSeconds(60));
  }
}
