package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netctl.bgp.codec.AddressFamily;
import dev.netctl.bgp.codec.BgpEncoder;
import dev.netctl.bgp.codec.BgpMessage;
import dev.netctl.bgp.codec.Capability;
import dev.netctl.bgp.codec.CodecContext;
import dev.netctl.bgp.codec.Nlri;
import dev.netctl.bgp.codec.PathAttribute;
import dev.netctl.ctl.bgp.PeerView;
import dev.netctl.ctl.bgp.RouteView;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code netctl bgp run} speakers in this JVM peer over iBGP on 127.0.0.2 and 127.0.0.3, each
 * originating a prefix; {@code bgp peers} and {@code bgp routes} read them through the admin
 * endpoints.
 */
class BgpCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private final List<Thread> speakers = new java.util.ArrayList<>();

  private static int freePort(String address) throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.ofLiteral(address))) {
      return s.getLocalPort();
    }
  }

  private Thread run(Path config, AtomicReference<Cli.Run> result) {
    Thread t =
        Thread.ofPlatform()
            .name("bgp-run-" + config.getFileName())
            .start(() -> result.set(Cli.raw("", "bgp", "run", "--config", config.toString())));
    speakers.add(t);
    return t;
  }

  private Path config(
      String name, String self, int port, String other, int otherPort, String prefix, int admin)
      throws IOException {
    return Files.writeString(
        dir.resolve(name),
        """
        routerId: %s
        asNumber: 65010
        listen: {address: %s, port: %d}
        ipv6NextHop: "fd00:10:0:0::%s"
        peers:
          - {address: %s, port: %d, asNumber: 65010, holdTime: 9}
        originate:
          - {prefix: %s, communities: ["65010:7"], largeCommunities: ["65010:1:2"]}
          - {prefix: "fd00:10:244:%s:0::/122"}
        admin: {address: 127.0.0.1:%d}
        """
            .formatted(
                self,
                self,
                port,
                self.substring(self.lastIndexOf('.') + 1),
                other,
                otherPort,
                prefix,
                self.substring(self.lastIndexOf('.') + 1),
                admin));
  }

  @AfterEach
  void stopSpeakers() throws InterruptedException {
    for (Thread t : speakers) {
      t.interrupt();
      t.join(15_000);
    }
  }

  @Test
  @Timeout(60)
  void twoSpeakersPeerAndTheQueryVerbsShowSessionsAndRoutes() throws Exception {
    int portA = freePort("127.0.0.2");
    int portB = freePort("127.0.0.3");
    int adminA = freePort("127.0.0.1");
    int adminB = freePort("127.0.0.1");
    String a = "--admin=127.0.0.1:" + adminA;
    String b = "--admin=127.0.0.1:" + adminB;
    AtomicReference<Cli.Run> runA = new AtomicReference<>();
    AtomicReference<Cli.Run> runB = new AtomicReference<>();
    Thread ta =
        run(config("a.yaml", "127.0.0.2", portA, "127.0.0.3", portB, "10.10.0.0/16", adminA), runA);
    Thread tb =
        run(config("b.yaml", "127.0.0.3", portB, "127.0.0.2", portA, "10.20.0.0/16", adminB), runB);

    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              Cli.Run peers = Cli.raw("", "bgp", "peers", a, "-o", "json");
              assertThat(peers.exitCode()).as(peers.toString()).isZero();
              List<PeerView> v = JSON.readValue(peers.out(), new TypeReference<>() {});
              assertThat(v)
                  .singleElement()
                  .satisfies(
                      p -> {
                        assertThat(p.state()).isEqualTo("established");
                        assertThat(p.receivedPrefixes()).as("IPv4 and IPv6").isEqualTo(2);
                      });
            });

    Cli.Run table = Cli.raw("", "bgp", "peers", a);
    assertThat(table.exitCode()).as(table.toString()).isZero();
    List<String> lines = table.out().lines().toList();
    assertThat(lines.get(0)).isEqualTo("IPv4 BGP status");
    assertThat(lines.get(1)).matches("PEER ADDRESS +PEER TYPE +STATE +SINCE +INFO");
    assertThat(lines.get(2))
        .matches("127\\.0\\.0\\.3 +ibgp +established +\\S+Z +2 routes received");
    assertThat(lines.subList(3, lines.size()))
        .containsExactly("", "IPv6 BGP status", "No IPv6 peers found.");

    Cli.Run routes = Cli.raw("", "bgp", "routes", a, "--family", "ipv4", "-o", "json");
    assertThat(routes.exitCode()).as(routes.toString()).isZero();
    List<RouteView> received = JSON.readValue(routes.out(), new TypeReference<>() {});
    assertThat(received)
        .containsExactly(
            new RouteView(
                "10.20.0.0/16",
                "ipv4",
                "127.0.0.3",
                "",
                "127.0.0.3",
                "received",
                List.of("65010:7"),
                List.of("65010:1:2"),
                null,
                100L,
                null,
                List.of(),
                false,
                null));

    Cli.Run routeTable = Cli.raw("", "bgp", "routes", b, "--peer", "127.0.0.2", "--received");
    assertThat(routeTable.out().lines().toList())
        .hasSize(3)
        .first()
        .asString()
        .matches("PREFIX +NEXT HOP +AS PATH +FROM PEER +COMMUNITIES +LARGE COMMUNITIES");
    assertThat(routeTable.out().lines().toList().get(1))
        .matches("10\\.10\\.0\\.0/16 +127\\.0\\.0\\.2 +127\\.0\\.0\\.2 +65010:7 +65010:1:2");
    assertThat(routeTable.out().lines().toList().get(2))
        .matches("fd00:10:244:2::/122 +fd00:10::2 +127\\.0\\.0\\.2");

    // A peer the speaker does not have is named, not shown as one that sent nothing.
    Cli.Run unknown = Cli.raw("", "bgp", "routes", b, "--peer", "127.0.0.9");
    assertThat(unknown.exitCode()).isEqualTo(ExitCode.ERROR);
    assertThat(unknown.err()).contains("peer 127.0.0.9 is not configured");
    // An IPv6 one is named in RFC 5952 form throughout, not as the URL it was asked with.
    Cli.Run unknown6 = Cli.raw("", "bgp", "reset", "0:0::9", b);
    assertThat(unknown6.exitCode()).isEqualTo(ExitCode.ERROR);
    assertThat(unknown6.err()).contains("peer ::9 is not configured").doesNotContain("%3A");

    Cli.Run advertised = Cli.raw("", "bgp", "routes", b, "--advertised", "-o", "json");
    List<RouteView> adv = JSON.readValue(advertised.out(), new TypeReference<>() {});
    assertThat(adv)
        .extracting(RouteView::prefix, RouteView::peer)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("10.20.0.0/16", "127.0.0.2"),
            org.assertj.core.groups.Tuple.tuple("fd00:10:244:3::/122", "127.0.0.2"));

    // RFC 2545: B's global IPv6 next hop; RFC 5952 text in the table and in JSON.
    Cli.Run v6 = Cli.raw("", "bgp", "routes", a, "--family", "ipv6");
    assertThat(v6.exitCode()).as(v6.toString()).isZero();
    assertThat(v6.out().lines().toList().get(1))
        .matches("fd00:10:244:3::/122 +fd00:10::3 +127\\.0\\.0\\.3.*");
    Cli.Run v6json =
        Cli.raw("", "bgp", "routes", b, "--family", "ipv6", "--advertised", "-o", "json");
    assertThat(v6json.out())
        .contains("\"prefix\" : \"fd00:10:244:3::/122\"", "\"nextHop\" : \"fd00:10::3\"")
        .doesNotContain("0:0:0");

    // Shutdown: both runs return OK and every port they held can be bound again.
    ta.interrupt();
    tb.interrupt();
    ta.join(15_000);
    tb.join(15_000);
    assertThat(runA.get().exitCode()).as(String.valueOf(runA.get())).isZero();
    assertThat(runA.get().out()).contains("listening on 127.0.0.2:" + portA);
    assertThat(runB.get().exitCode()).isZero();
    for (InetSocketAddress held :
        List.of(
            new InetSocketAddress("127.0.0.2", portA),
            new InetSocketAddress("127.0.0.3", portB),
            new InetSocketAddress("127.0.0.1", adminA),
            new InetSocketAddress("127.0.0.1", adminB))) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(held);
      }
    }
    Cli.Run gone = Cli.raw("", "bgp", "peers", a);
    assertThat(gone.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(gone.err()).contains("BGP admin endpoint 127.0.0.1:" + adminA + " is unreachable");
  }

  @Test
  @Timeout(60)
  void anIpv6SessionSaysThatRoutesNeedingOurIpv4NextHopAreNotSent() throws Exception {
    // An IPv6 session has no IPv4 address of ours to put in NEXT_HOP (RFC 4271 §5.1.3): our own
    // IPv4 routes without a nextHop, and every IPv4 route toward an eBGP peer, stay unsent. That
    // was silent; the IPv4 session beside it has no such notice.
    int admin = freePort("127.0.0.1");
    Path config =
        Files.writeString(
            dir.resolve("v6.yaml"),
            """
            routerId: 127.0.6.9
            asNumber: 65010
            listen: {address: "::1", port: %d}
            peers:
              - {address: "::1", port: %d, asNumber: 65011, passive: true,
                 import: accept-all, export: accept-all}
              - {address: 127.0.6.10, asNumber: 65011, passive: true, localAddress: 127.0.6.9,
                 import: accept-all, export: accept-all}
            originate: [{prefix: 10.69.0.0/16}]
            admin: {address: 127.0.0.1:%d}
            """
                .formatted(freePort("::1"), freePort("::1"), admin));
    run(config, new AtomicReference<>());
    awaitPeers(
        "--admin=127.0.0.1:" + admin,
        out -> {
          String v6 = out.lines().filter(l -> l.startsWith("::1 ")).findFirst().orElse("");
          String v4 = out.lines().filter(l -> l.startsWith("127.0.6.10 ")).findFirst().orElse("");
          assertThat(v6).contains("ipv4 routes that need this speaker as next hop are not sent");
          assertThat(v4).isNotEmpty().doesNotContain("ipv4 routes that need");
        });
  }

  @Test
  @Timeout(60)
  void bgpPeersShowsConfigAndSessionNoticesAndTheSessionsGoWithTheirSession() throws Exception {
    // The speaker has no IPv6 next hop (a configuration notice) and connects to a peer played
    // here, which sends an IPv6 route although the session did not negotiate IPv6 (a notice of
    // that session: the route is ignored, RFC 4760 §8).
    try (ServerSocket peerListen = new ServerSocket(0, 1, InetAddress.ofLiteral("127.0.6.2"))) {
      String a = runTowards(peerListen, "127.0.6.1", "");
      try (java.net.Socket peer =
          openSession(
              peerListen,
              new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
              new Capability.Multiprotocol(AddressFamily.IPV6_UNICAST))) {
        send(
            peer,
            new BgpMessage.Update(
                List.of(),
                List.of(
                    new PathAttribute.Origin(PathAttribute.OriginType.IGP),
                    PathAttribute.AsPath.EMPTY,
                    new PathAttribute.LocalPref(100),
                    new PathAttribute.MpReach(
                        AddressFamily.IPV6_UNICAST,
                        List.of(
                            java.net.Inet6Address.getByAddress(null, mappedV6("127.0.6.2"), -1)),
                        List.of(Nlri.of("2001:db8:6::/48")))),
                List.of()));
        awaitPeers(
            a,
            out ->
                assertThat(out)
                    .containsPattern("127\\.0\\.6\\.2 +ibgp +established")
                    .contains(
                        "ipv6 unicast not offered",
                        "ipv6 unicast routes received but not negotiated: ignored"));
      }
      // The session is gone: its notice with it; the configuration's stays.
      awaitPeers(
          a,
          out ->
              assertThat(out)
                  .doesNotContain("established")
                  .contains("ipv6 unicast not offered")
                  .doesNotContain("not negotiated"));
    }
  }

  @Test
  @Timeout(60)
  void bgpPeersNamesAMalformedUpdateThatWasHandledWithoutAReset() throws Exception {
    // RFC 7606 keeps the session up and withdraws the routes: bgp peers is where the user learns
    // why a route the peer says it sends is missing.
    try (ServerSocket peerListen = new ServerSocket(0, 1, InetAddress.ofLiteral("127.0.6.12"))) {
      String a = runTowards(peerListen, "127.0.6.11", "families: [ipv4]");
      try (java.net.Socket peer =
          openSession(peerListen, new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST))) {
        byte[] malformed =
            java.util.HexFormat.of()
                .parseHex(
                    "ffffffffffffffffffffffffffffffff" // marker
                        + "0035" // length 53
                        + "02" // UPDATE
                        + "0000" // no withdrawn routes
                        + "001b" // path attributes: 27 octets
                        + "40010100" // ORIGIN IGP
                        + "400200" // AS_PATH empty (iBGP)
                        + "400304c000020c" // NEXT_HOP 192.0.2.12
                        + "40050400000064" // LOCAL_PREF 100
                        + "c00803010203" // COMMUNITIES of 3 octets: RFC 7606 §7.8 treat-as-withdraw
                        + "100a0c"); // NLRI 10.12.0.0/16
        peer.getOutputStream().write(malformed);
        send(peer, ibgpRoute("192.0.2.12", "10.12.1.0/24"));
        awaitPeers(
            a,
            out ->
                assertThat(out)
                    .containsPattern(
                        "127\\.0\\.6\\.12 +ibgp +established +\\S+ +1 routes received; last"
                            + " malformed UPDATE: treat-as-withdraw: ATTRIBUTE_LENGTH_ERROR\\(3/5\\)"));
        List<PeerView> json =
            JSON.readValue(
                Cli.raw("", "bgp", "peers", a, "-o", "json").out(), new TypeReference<>() {});
        assertThat(json)
            .singleElement()
            .extracting(PeerView::lastError)
            .asString()
            .startsWith("treat-as-withdraw: ATTRIBUTE_LENGTH_ERROR(3/5) data=c00803010203");

        // Our own address as next hop: the route is ignored (RFC 4271 §6.3), not used and passed
        // on to point back at us.
        send(peer, ibgpRoute("127.0.6.11", "10.12.2.0/24"));
        awaitPeers(
            a,
            out ->
                assertThat(out)
                    .containsPattern(
                        "127\\.0\\.6\\.12 +ibgp +established +\\S+ +1 routes received; last"
                            + " malformed UPDATE: treat-as-withdraw:"
                            + " INVALID_NEXT_HOP_ATTRIBUTE\\(3/8\\): NEXT_HOP 127\\.0\\.6\\.11 is this"
                            + " speaker's own address"));
        assertThat(routes(a)).extracting(RouteView::prefix).containsExactly("10.12.1.0/24");
      }
    }
  }

  /**
   * Runs a speaker on {@code self} (AS 65010) with one iBGP peer: the test, listening on {@code
   * peerListen}. {@code extra} is added to the peer entry. Returns the {@code --admin} option.
   */
  private String runTowards(ServerSocket peerListen, String self, String extra) throws IOException {
    int admin = freePort("127.0.0.1");
    String peer = peerListen.getInetAddress().getHostAddress();
    Path config =
        Files.writeString(
            dir.resolve(self + ".yaml"),
            """
            routerId: %s
            asNumber: 65010
            listen: {address: %s, port: %d}
            peers:
              - {address: %s, port: %d, asNumber: 65010, holdTime: 9%s}
            admin: {address: 127.0.0.1:%d}
            """
                .formatted(
                    self,
                    self,
                    freePort(self),
                    peer,
                    peerListen.getLocalPort(),
                    extra.isEmpty() ? "" : ", " + extra,
                    admin));
    run(config, new AtomicReference<>());
    peerListen.setSoTimeout(30_000);
    return "--admin=127.0.0.1:" + admin;
  }

  /**
   * Accepts the speaker's connection and runs the OPEN exchange as the listening address in AS
   * 65010 with {@code families} and 4-octet AS; returns the established socket.
   */
  private static java.net.Socket openSession(
      ServerSocket peerListen, Capability.Multiprotocol... families) throws IOException {
    java.net.Socket peer = peerListen.accept();
    peer.setSoTimeout(10_000);
    java.io.DataInputStream in = new java.io.DataInputStream(peer.getInputStream());
    assertThat(readType(in)).as("the speaker's OPEN").isEqualTo(1);
    List<Capability> caps = new java.util.ArrayList<>(List.of(families));
    caps.add(new Capability.FourOctetAs(65010));
    send(
        peer,
        new BgpMessage.Open(
            4, 65010, 9, (java.net.Inet4Address) peerListen.getInetAddress(), caps));
    assertThat(readType(in)).as("KEEPALIVE").isEqualTo(4);
    send(peer, BgpMessage.Keepalive.INSTANCE);
    return peer;
  }

  /** An iBGP UPDATE announcing {@code prefix} with {@code nextHop}. */
  private static BgpMessage.Update ibgpRoute(String nextHop, String prefix) {
    return new BgpMessage.Update(
        List.of(),
        List.of(
            new PathAttribute.Origin(PathAttribute.OriginType.IGP),
            PathAttribute.AsPath.EMPTY,
            new PathAttribute.NextHop((java.net.Inet4Address) InetAddress.ofLiteral(nextHop)),
            new PathAttribute.LocalPref(100)),
        List.of(Nlri.of(prefix)));
  }

  /** Waits (at most 20 s) until {@code bgp peers}' table passes {@code check}. */
  private static void awaitPeers(String admin, java.util.function.Consumer<String> check) {
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> check.accept(Cli.raw("", "bgp", "peers", admin).out()));
  }

  /** Reads one BGP message (RFC 4271 §4.1: marker, length, type) and returns its type. */
  private static int readType(java.io.DataInputStream in) throws IOException {
    byte[] header = new byte[19];
    in.readFully(header);
    int length = ((header[16] & 0xff) << 8) | (header[17] & 0xff);
    in.readFully(new byte[length - 19]);
    return header[18];
  }

  private static void send(java.net.Socket s, BgpMessage m) throws IOException {
    s.getOutputStream().write(BgpEncoder.encode(m, CodecContext.FOUR_OCTET));
    s.getOutputStream().flush();
  }

  /** {@code ::ffff:a.b.c.d} (RFC 4291 §2.5.5.2) as 16 octets. */
  private static byte[] mappedV6(String v4) {
    byte[] out = new byte[16];
    out[10] = (byte) 0xff;
    out[11] = (byte) 0xff;
    System.arraycopy(InetAddress.ofLiteral(v4).getAddress(), 0, out, 12, 4);
    return out;
  }

  private Thread runYaml(Map<String, Integer> ports, String name, String yaml) throws IOException {
    String text = yaml;
    for (Map.Entry<String, Integer> e : ports.entrySet()) {
      text = text.replace(e.getKey(), e.getValue().toString());
    }
    return run(Files.writeString(dir.resolve(name), text), new AtomicReference<>());
  }

  private static List<RouteView> routes(String... args) throws IOException {
    String[] all = new String[args.length + 4];
    all[0] = "bgp";
    all[1] = "routes";
    System.arraycopy(args, 0, all, 2, args.length);
    all[all.length - 2] = "-o";
    all[all.length - 1] = "json";
    Cli.Run r = Cli.raw("", all);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return JSON.readValue(r.out(), new TypeReference<>() {});
  }

  private static java.util.Map<String, RouteView> byPrefix(List<RouteView> routes) {
    return routes.stream()
        .collect(java.util.stream.Collectors.toMap(RouteView::prefix, r -> r, (a, b) -> a));
  }

  /**
   * A route reflector (127.0.4.21, admin on a Unix socket, cluster id 10.4.4.4) with two clients
   * and an eBGP neighbour, each a {@code netctl bgp run} in this JVM. Its import policy drops one
   * client prefix, its export policy to the eBGP peer rewrites and filters; both show in {@code bgp
   * routes}, and so does the cluster id on reflected routes.
   */
  @Test
  @Timeout(90)
  void policiesAndClusterIdShowInTheRoutesOfAReflectorQueriedOverAUnixSocket() throws Exception {
    Path socket = dir.resolve("rr.sock");
    String rrAdmin = "--admin=unix:" + socket;
    // Free ports (bound to 0 and released), filled into the configs' {placeholders}.
    Map<String, Integer> ports = new HashMap<>();
    ports.put("{rr}", freePort("127.0.4.21"));
    ports.put("{c1}", freePort("127.0.4.22"));
    ports.put("{c2}", freePort("127.0.4.23"));
    ports.put("{e}", freePort("127.0.4.24"));
    ports.put("{c1a}", freePort("127.0.0.1"));
    ports.put("{c2a}", freePort("127.0.0.1"));
    ports.put("{ea}", freePort("127.0.0.1"));
    String c1Admin = "--admin=127.0.0.1:" + ports.get("{c1a}");
    String c2Admin = "--admin=127.0.0.1:" + ports.get("{c2a}");
    String eAdmin = "--admin=127.0.0.1:" + ports.get("{ea}");
    runYaml(
        ports,
        "rr.yaml",
        """
        routerId: 127.0.4.21
        asNumber: 65040
        clusterId: 10.4.4.4
        listen: {address: 127.0.4.21, port: {rr}}
        definedSets:
          prefixSets:
            pods: [10.4.0.0/16 le 24]
            lab: [10.99.0.0/16 le 32]
        policies:
          from-clients:
            default: accept
            statements:
              - {match: {prefixSet: lab}, then: reject}
          to-upstream:
            statements:
              - match: {prefixSet: pods}
                actions:
                  med: 42
                  asPathPrepend: {repeat: 2}
                  communities: {add: ["65040:42"]}
                then: accept
        peers:
          - {address: 127.0.4.22, port: {c1}, asNumber: 65040, holdTime: 9,
             routeReflectorClient: true, import: from-clients}
          - {address: 127.0.4.23, port: {c2}, asNumber: 65040, holdTime: 9,
             routeReflectorClient: true, import: from-clients}
          - {address: 127.0.4.24, port: {e}, asNumber: 65041, holdTime: 9,
             import: accept-all, export: to-upstream}
        originate:
          - {prefix: 10.4.21.0/24}
          - {prefix: 192.168.4.0/24}
        admin: {unixSocket: %s}
        """
            .formatted(socket));
    runYaml(
        ports,
        "c1.yaml",
        """
        routerId: 127.0.4.22
        asNumber: 65040
        listen: {address: 127.0.4.22, port: {c1}}
        peers: [{address: 127.0.4.21, port: {rr}, asNumber: 65040, holdTime: 9}]
        originate: [{prefix: 10.4.22.0/24}]
        admin: {address: 127.0.0.1:{c1a}}
        """);
    runYaml(
        ports,
        "c2.yaml",
        """
        routerId: 127.0.4.23
        asNumber: 65040
        listen: {address: 127.0.4.23, port: {c2}}
        peers: [{address: 127.0.4.21, port: {rr}, asNumber: 65040, holdTime: 9}]
        originate: [{prefix: 10.4.23.0/24}, {prefix: 10.99.1.0/24}]
        admin: {address: 127.0.0.1:{c2a}}
        """);
    runYaml(
        ports,
        "e.yaml",
        """
        routerId: 127.0.4.24
        asNumber: 65041
        listen: {address: 127.0.4.24, port: {e}}
        peers: [{address: 127.0.4.21, port: {rr}, asNumber: 65040, holdTime: 9,
                 import: accept-all, export: reject-all}]
        admin: {address: 127.0.0.1:{ea}}
        """);

    await()
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () -> {
              assertThat(byPrefix(routes(eAdmin)))
                  .containsOnlyKeys("10.4.21.0/24", "10.4.22.0/24", "10.4.23.0/24");
              assertThat(byPrefix(routes(c1Admin))).containsKeys("10.4.21.0/24", "10.4.23.0/24");
            });

    // Export policy, seen by the eBGP peer: prepended twice more, MED and community set, the
    // prefix outside the set (192.168.4.0/24) and the one dropped on import (10.99.1.0/24) absent.
    RouteView fromRr = byPrefix(routes(eAdmin)).get("10.4.22.0/24");
    assertThat(fromRr.asPath()).isEqualTo("65040 65040 65040");
    assertThat(fromRr.med()).isEqualTo(42L);
    assertThat(fromRr.communities()).containsExactly("65040:42");
    assertThat(fromRr.nextHop()).as("eBGP: next-hop self").isEqualTo("127.0.4.21");
    // The reflector's own Adj-RIB-Out toward that peer says the same, over the Unix socket.
    List<RouteView> advertised = routes(rrAdmin, "--peer", "127.0.4.24", "--advertised");
    assertThat(advertised)
        .extracting(RouteView::prefix, RouteView::asPath, RouteView::med, RouteView::peer)
        .containsExactly(
            tuple("10.4.21.0/24", "65040 65040 65040", 42L, "127.0.4.24"),
            tuple("10.4.22.0/24", "65040 65040 65040", 42L, "127.0.4.24"),
            tuple("10.4.23.0/24", "65040 65040 65040", 42L, "127.0.4.24"));
    assertThat(advertised).allMatch(r -> r.direction().equals("advertised"));

    // Import policy: the reflector received 10.99.1.0/24 (Adj-RIB-In is before import policy)
    // but neither reflects nor exports it.
    assertThat(byPrefix(routes(rrAdmin, "--peer", "127.0.4.23")))
        .containsOnlyKeys("10.4.23.0/24", "10.99.1.0/24");
    assertThat(byPrefix(routes(rrAdmin, "--peer", "127.0.4.22", "--advertised")))
        .as("reflected to client 1: the reflector's route and client 2's allowed one")
        .containsOnlyKeys("10.4.21.0/24", "192.168.4.0/24", "10.4.23.0/24");

    // Reflection carries our cluster id and the originator (RFC 4456 §8).
    RouteView reflected = byPrefix(routes(c1Admin)).get("10.4.23.0/24");
    assertThat(reflected.clusterList()).containsExactly("10.4.4.4");
    assertThat(reflected.originatorId()).isEqualTo("127.0.4.23");
    assertThat(reflected.nextHop()).as("reflection keeps the next hop").isEqualTo("127.0.4.23");

    // The table form over the socket, as a user reads it.
    Cli.Run table = Cli.raw("", "bgp", "routes", rrAdmin, "--peer", "127.0.4.24", "--advertised");
    assertThat(table.out().lines().toList())
        .hasSize(4)
        .first()
        .asString()
        .matches("PREFIX +NEXT HOP +AS PATH +TO PEER +COMMUNITIES +LARGE COMMUNITIES");
    assertThat(table.out().lines().toList().get(1))
        .matches(
            "10\\.4\\.21\\.0/24 +127\\.0\\.4\\.21 +65040 65040 65040 +127\\.0\\.4\\.24 +65040:42 *");
    Cli.Run peers = Cli.raw("", "bgp", "peers", rrAdmin);
    assertThat(peers.out())
        .contains("127.0.4.24")
        .containsPattern("127\\.0\\.4\\.22 +rr-client +established");

    // Stopping the reflector removes its socket file.
    assertThat(socket).exists();
    Thread rr = speakers.getFirst();
    rr.interrupt();
    rr.join(15_000);
    assertThat(socket).doesNotExist();
    Cli.Run gone = Cli.raw("", "bgp", "peers", rrAdmin);
    assertThat(gone.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(gone.err()).contains("BGP admin endpoint unix:" + socket + " is unreachable");
  }

  @Test
  void badQueryOptionsAreUsageErrors() {
    assertThat(Cli.raw("", "bgp", "routes", "--received", "--advertised").exitCode())
        .isEqualTo(ExitCode.USAGE);
    Cli.Run peer = Cli.raw("", "bgp", "routes", "--peer", "nope");
    assertThat(peer.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(peer.err()).contains("--peer \"nope\" must be an IP address");
    assertThat(Cli.raw("", "bgp", "peers", "--admin", "localhost").exitCode())
        .isEqualTo(ExitCode.USAGE);
  }
}
