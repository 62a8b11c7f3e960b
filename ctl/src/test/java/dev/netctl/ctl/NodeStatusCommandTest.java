package dev.netctl.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code netctl node status}'s table, from the agent's /status document. */
class NodeStatusCommandTest {

  private static String print(String status) throws Exception {
    StringWriter w = new StringWriter();
    try (PrintWriter out = new PrintWriter(w)) {
      NodeStatusCommand.print(out, new ObjectMapper().readTree(status));
    }
    return w.toString();
  }

  /**
   * The agent probes the kernel for IP-in-IP only when a pool asks for it: until then the status
   * must not claim a native IPIP the kernel may not have (this one has none).
   */
  @ParameterizedTest(name = "{0}, fallback {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "native | false | not in use (no IPIP pool)",
        "vxlan-cross-subnet | false | not in use (no IPIP pool)",
        "ipip | false | native (tunl0)",
        "ipip-cross-subnet | false | native (tunl0)",
        "ipip over vxlan (no IPIP in this kernel) | true | no IP-in-IP in this kernel: IPIP pools"
            + " carried over VXLAN"
      })
  void theIpipLineSaysWhatTheAgentKnows(String encapsulation, boolean fallback, String line)
      throws Exception {
    String text =
        print(
            "{\"node\":\"n1\",\"ready\":true,\"peers\":[],\"ipv4\":\"192.168.77.11/24\","
                + "\"ipv6\":null,\"routes\":1,\"vteps\":0,\"mtu\":1500,\"ipipFallback\":"
                + fallback
                + ",\"encapsulation\":{\"p\":\""
                + encapsulation
                + "\"}}");
    assertThat(text).contains("  IPIP:          " + line + "\n");
  }

  /** No agent: the error says what happened, not the exception's missing message ("null"). */
  @Test
  void noAgentListeningSaysConnectionRefused() throws Exception {
    int port;
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Cli.Run r = Cli.raw("", "node", "status", "--health-port", Integer.toString(port));
    assertThat(r.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(r.err())
        .contains("no node agent answers at http://127.0.0.1:" + port, "connection refused")
        .doesNotContain("null");
  }

  @Test
  void addressesAreShownAsTheAgentWritesThem() throws Exception {
    String text =
        print(
            "{\"node\":\"n1\",\"ready\":true,\"peers\":[{\"address\":\"fd77::12\",\"type\":"
                + "\"node-to-node mesh\",\"state\":\"Established\",\"since\":\"t\",\"info\":\"\"}],"
                + "\"ipv4\":\"192.168.77.11/24\",\"ipv6\":\"fd77::11/64\",\"encapsulation\":{}}");
    assertThat(text).contains("No IPv4 peers found.", "fd77::12", "192.168.77.11/24, fd77::11/64");
  }

  @Test
  void anIpv6OnlyNodeSaysSoInsteadOfAnEmptyIpv4Address() throws Exception {
    String text =
        print(
            "{\"node\":\"n1\",\"ready\":true,\"peers\":[],\"ipv4\":null,"
                + "\"ipv6\":\"fd77::11/64\",\"encapsulation\":{}}");
    assertThat(text).contains("addresses:     fd77::11/64 (IPv6 only)").doesNotContain("null");
  }
}
