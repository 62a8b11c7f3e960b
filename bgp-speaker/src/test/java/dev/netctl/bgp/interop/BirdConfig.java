package dev.netctl.bgp.interop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * BIRD in the interop tests: the {@code bird.conf} shape most of them use (router id, device
 * protocol, the test's own static protocols, one {@code protocol bgp} with the short timers the
 * tests rely on: hold time 9 s, connect retry 1 s), and BIRD started in a directory of its own.
 */
final class BirdConfig {
  private final String routerId;
  private final StringBuilder statics = new StringBuilder();
  private String name;
  private int localPort;
  private long localAs;
  private String neighbor;
  private int neighborPort;
  private long neighborAs;
  private String password;
  private boolean multihop;
  private final List<String> channels = new ArrayList<>();

  private BirdConfig(String routerId) {
    this.routerId = routerId;
  }

  /** BIRD with router id {@code routerId}, which is also its BGP session's local address. */
  static BirdConfig routerId(String routerId) {
    return new BirdConfig(routerId);
  }

  /** Appends {@code text} as it is before the BGP protocol, e.g. static protocols. */
  BirdConfig raw(String text) {
    statics.append(text);
    return this;
  }

  /**
   * The BGP protocol {@code name}: BIRD on the router id at {@code localPort} in {@code localAs},
   * its peer at {@code neighbor:neighborPort} in {@code neighborAs}.
   */
  BirdConfig bgp(
      String name,
      int localPort,
      long localAs,
      String neighbor,
      int neighborPort,
      long neighborAs) {
    this.name = name;
    this.localPort = localPort;
    this.localAs = localAs;
    this.neighbor = neighbor;
    this.neighborPort = neighborPort;
    this.neighborAs = neighborAs;
    return this;
  }

  /** TCP MD5 signatures (RFC 2385) with {@code key}. */
  BirdConfig password(String key) {
    password = key;
    return this;
  }

  /** eBGP between loopback addresses, which BIRD does not count as directly connected. */
  BirdConfig multihop() {
    multihop = true;
    return this;
  }

  /** Appends a line to the BGP protocol after the timers: a channel or a comment. */
  BirdConfig channel(String line) {
    channels.add(line);
    return this;
  }

  /** The config text. */
  String render() {
    if (name == null) {
      throw new IllegalStateException("bird config for " + routerId + ": no bgp protocol");
    }
    StringBuilder sb =
        new StringBuilder("router id %s;\nprotocol device {}\n".formatted(routerId))
            .append(statics)
            .append("protocol bgp %s {\n".formatted(name))
            .append("  local %s port %d as %d;\n".formatted(routerId, localPort, localAs))
            .append("  neighbor %s port %d as %d;\n".formatted(neighbor, neighborPort, neighborAs));
    if (password != null) {
      sb.append("  password \"%s\";\n".formatted(password));
    }
    sb.append("  strict bind yes;\n");
    if (multihop) {
      sb.append("  multihop;\n");
    }
    sb.append("  hold time 9;\n  connect retry time 1;\n");
    channels.forEach(c -> sb.append("  ").append(c).append('\n'));
    return sb.append("}\n").toString();
  }

  /** Writes {@code config} to {@code dir/name/bird.conf} and starts BIRD there. */
  static Daemon start(Path dir, String name, String config) throws Exception {
    Path d = Files.createDirectory(dir.resolve(name));
    Files.writeString(d.resolve("bird.conf"), config);
    return Daemon.start(
        name,
        d,
        List.of(
            BirdInteropIT.BIRD,
            "-f",
            "-c",
            "bird.conf",
            "-s",
            d.resolve("bird.sock").toString(),
            "-P",
            "bird.pid"),
        Map.of());
  }

  /** {@code show route all protocol netctl} from the BIRD started as {@code name}. */
  static String netctlRoutes(Path dir, String name) throws Exception {
    return birdc(dir, name, "show", "route", "all", "protocol", "netctl");
  }

  /** {@code show protocols all netctl} from the BIRD started as {@code name}. */
  static String netctlProtocol(Path dir, String name) throws Exception {
    return birdc(dir, name, "show", "protocols", "all", "netctl");
  }

  /** Runs birdc {@code command} against the BIRD that {@link #start} started as {@code name}. */
  static String birdc(Path dir, String name, String... command) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(BirdInteropIT.BIRDC, "-s", dir.resolve(name).resolve("bird.sock").toString()));
    cmd.addAll(List.of(command));
    return Daemon.run(Duration.ofSeconds(5), cmd);
  }
}
