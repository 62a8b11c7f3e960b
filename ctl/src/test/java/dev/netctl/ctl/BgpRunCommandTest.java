package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code netctl bgp run} refuses every invalid config before binding anything. */
class BgpRunCommandTest {
  private static final String HEAD =
      "routerId: 192.0.2.1\nasNumber: 65001\nlisten: {address: 127.0.0.2, port: 1179}\n";

  @TempDir Path dir;

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(
            "routerId: 300.1.1.1\nasNumber: 65001\nlisten: {address: 127.0.0.2}\n",
            "routerId: \"300.1.1.1\" must be an IPv4 address"),
        Arguments.of(
            "routerId: 192.0.2.1\nasNumber: 4294967296\nlisten: {address: 127.0.0.2}\n",
            "asNumber: \"4294967296\" must be 1..4294967295"),
        Arguments.of(
            "routerId: 192.0.2.1\nasNumber: 65001\nlisten: {address: 127.0.0.2, port: 0}\n",
            "listen.port: \"0\" must be 1..65535"),
        Arguments.of(
            HEAD + "peers: [{address: 127.0.0.300, asNumber: 65001}]\n",
            "peers[0].address: \"127.0.0.300\" must be an IP address"),
        Arguments.of(
            HEAD + "peers: [{address: 127.0.0.3, asNumber: 65001, holdTime: 2}]\n",
            "peers[0].holdTime: \"2\" must be 0 or 3..65535"),
        Arguments.of(
            HEAD
                + "peers:\n  - {address: 127.0.0.3, asNumber: 65001}\n"
                + "  - {address: 127.0.0.3, asNumber: 65002}\n",
            "peers[1].address: \"127.0.0.3\" is a duplicate"),
        Arguments.of(
            HEAD + "peers: [{address: 127.0.0.3, asNumber: 65001, families: [ipv4, l2vpn]}]\n",
            "peers[0].families[1]: \"l2vpn\" must be ipv4 or ipv6"),
        Arguments.of(
            HEAD + "originate: [{prefix: 10.1.2.3/16}]\n",
            "originate[0].prefix: \"10.1.2.3/16\" is not a valid prefix: prefix '10.1.2.3/16' has"
                + " host bits set past /16"),
        Arguments.of(
            HEAD + "peers: [{address: 127.0.0.3, asNumber: 65001, holdtime: 30}]\n",
            "peers[0].holdtime: unknown field"),
        Arguments.of(
            HEAD + "peers: [{address: 127.0.0.3, asNumber: 65002, routeReflectorClient: true}]\n",
            "peers[0].routeReflectorClient: \"true\" needs an iBGP peer"),
        Arguments.of(HEAD + "clusterId: \"::1\"\n", "clusterId: \"::1\" must be an IPv4 address"),
        Arguments.of(
            HEAD
                + "peers: [{address: 127.0.0.3, asNumber: 65001, export: {prefixes: [10.0.0.1/8]}}]\n",
            "peers[0].export.prefixes[0]: \"10.0.0.1/8\" is not a prefix-list entry"),
        Arguments.of(
            HEAD + "peers: [{address: 127.0.0.3, asNumber: 65001, import: accept-some}]\n",
            "peers[0].import: \"accept-some\" is not a defined policy (accept-all, reject-all)"),
        Arguments.of(
            HEAD
                + "policies: {in: {statements: [{match: {prefixSet: pods}, then: accept}]}}\n"
                + "peers: [{address: 127.0.0.3, asNumber: 65001, import: in}]\n",
            "policies.in.statements[0].match.prefixSet: \"pods\" is not a defined prefixSet"),
        Arguments.of(
            HEAD + "originate: [{prefix: 10.1.0.0/16, communities: [\"65536:1\"]}]\n",
            "originate[0].communities[0]: \"65536:1\" must be ASN:VALUE with both parts"
                + " 0..65535"),
        Arguments.of(
            HEAD + "admin: {address: 192.0.2.1:9179}\n",
            "admin.address: \"192.0.2.1:9179\" must be a loopback address"),
        Arguments.of(
            HEAD
                + "policies: {out: {statements: [{actions: {localPref: 200}, then: accept}]}}\n"
                + "peers: [{address: 127.0.0.3, asNumber: 65002, export: out}]\n",
            "peers[0].export: \"out\" sets localPref, which is never sent to an eBGP peer"),
        Arguments.of(
            HEAD + "admin: {unixSocket: \"\"}\n",
            "admin.unixSocket: \"\" must be a socket file path"),
        Arguments.of(
            HEAD + "peers: [{address: \"::1\", asNumber: 65001}]\n",
            "peers[0].localAddress: \"127.0.0.2\" (listen.address, as localAddress is not set)"
                + " must be of the same IP version as the peer address ::1"),
        Arguments.of(
            "routerId: 192.0.2.1\nasNumber: 65001\nlisten: {address: 0.0.0.0}\n"
                + "peers: [{address: 127.0.0.3, asNumber: 65001}]\n",
            "peers[0].localAddress: \"0.0.0.0\" must be a specific address"),
        Arguments.of(
            "routerId: \"192.0.2.1\nasNumber: 1\n",
            "not valid YAML at line 1, column 9: while scanning a quoted scalar"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  @org.junit.jupiter.api.Timeout(20)
  void invalidConfigIsRefusedNamingFileFieldValueAndRule(String yaml, String expected)
      throws Exception {
    Path file = dir.resolve("speaker.yaml");
    Files.writeString(file, yaml);

    Cli.Run run = Cli.raw("", "bgp", "run", "--config", file.toString());

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.INVALID);
    assertThat(run.err()).contains("error: " + file + ": ").contains(expected);
    assertThat(run.out()).isEmpty();
  }

  @Test
  void portsInUseFailNamingTheAddress() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.ofLiteral("127.0.0.2"))) {
      int port = taken.getLocalPort();
      Path file = dir.resolve("speaker.yaml");
      Files.writeString(
          file,
          "routerId: 192.0.2.1\nasNumber: 65001\nlisten: {address: 127.0.0.2, port: %d}\n"
              .formatted(port));
      Cli.Run bgp = Cli.raw("", "bgp", "run", "--config", file.toString());
      assertThat(bgp.exitCode()).as(bgp.toString()).isEqualTo(ExitCode.ERROR);
      // Once, with the OS's reason rather than Netty's syscall annotation.
      assertThat(bgp.err())
          .isEqualTo(
              "error: cannot listen for BGP on 127.0.0.2:" + port + ": Address already in use\n");

      int free;
      try (java.net.ServerSocket probe =
          new java.net.ServerSocket(0, 1, java.net.InetAddress.ofLiteral("127.0.0.2"))) {
        free = probe.getLocalPort();
      }
      Files.writeString(
          file,
          "routerId: 192.0.2.1\nasNumber: 65001\nlisten: {address: 127.0.0.2, port: %d}\n"
              .formatted(free));
      Cli.Run admin =
          Cli.raw("", "bgp", "run", "--config", file.toString(), "--admin=127.0.0.2:" + port);
      assertThat(admin.exitCode()).as(admin.toString()).isEqualTo(ExitCode.ERROR);
      assertThat(admin.err())
          .contains("error: cannot start the admin endpoint on 127.0.0.2:" + port);
      // The failed start closed the BGP listener it had already bound.
      try (java.net.ServerSocket again = new java.net.ServerSocket()) {
        again.setReuseAddress(true);
        again.bind(new java.net.InetSocketAddress("127.0.0.2", free));
      }
    }
  }

  @Test
  void missingFileIsInvalidNamingIt() {
    Path file = dir.resolve("absent.yaml");
    Cli.Run run = Cli.raw("", "bgp", "run", "--config", file.toString());
    assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID);
    assertThat(run.err()).contains(file + ": cannot read");
  }
}
