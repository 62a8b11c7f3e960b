package dev.netctl.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netctl.datastore.client.ResourceClient;
import dev.netctl.datastore.model.Cidr;
import dev.netctl.datastore.model.Kind;
import dev.netctl.datastore.model.Node;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code netctl node status}: a running agent's BGP sessions in {@code calicoctl node status}'
 * table (IPv4 and IPv6 apart), then its dataplane: routes, VTEPs, each pool's encapsulation, the
 * IPIP fallback, the pod MTU and the last apply. Read from the agent's {@code /status} endpoint.
 */
@Command(name = "status", description = "Show a running node agent's BGP and dataplane status.")
final class NodeStatusCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @ParentCommand NodeCommand node;

  @Option(
      names = "--node",
      paramLabel = "NAME",
      description =
          "Ask the agent of another node (at its Node's IPv4 address; needs --health-host 0.0.0.0"
              + " there). Default: the agent on this host.")
  String nodeName;

  @Option(
      names = "--health-port",
      defaultValue = "${env:NETCTL_HEALTH_PORT:-9099}",
      description = "The agent's health/status port (default 9099).")
  int port;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "table (default) or json.")
  String output;

  @Override
  public Integer call() throws Exception {
    if (!output.equals("table") && !output.equals("json")) {
      throw new CliException(ExitCode.USAGE, "--output \"" + output + "\": use table or json");
    }
    String host = "127.0.0.1";
    if (nodeName != null) {
      try (var store = node.datastore().open(StoreUse.EXISTING)) {
        Node n =
            new ResourceClient(store)
                .find(Kind.NODE, nodeName)
                .orElseThrow(
                    () ->
                        new CliException(
                            ExitCode.NOT_FOUND, "Node \"" + nodeName + "\" not found"));
        var bgp = n.spec().bgp();
        // An IPv6-only node is asked at its IPv6 address.
        String address =
            bgp == null ? null : bgp.ipv4Address() != null ? bgp.ipv4Address() : bgp.ipv6Address();
        if (address == null) {
          throw new CliException(
              ExitCode.NOT_FOUND,
              "Node \""
                  + nodeName
                  + "\" has no spec.bgp.ipv4Address or spec.bgp.ipv6Address to ask");
        }
        host = Cidr.format(Cidr.parseAddressOrCidr(address).address());
        if (host.contains(":")) host = "[" + host + "]";
      }
    }
    String url = "http://" + host + ":" + port + "/status";
    String body;
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      body = r.body();
    } catch (IOException e) {
      throw new CliException(
          ExitCode.UNAVAILABLE,
          "no node agent answers at "
              + url
              + " (is `netctl node run` running?): "
              + (e instanceof java.net.ConnectException
                  ? "connection refused"
                  : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
    }
    PrintWriter out = spec.commandLine().getOut();
    if (output.equals("json")) {
      out.println(body);
      return ExitCode.OK;
    }
    print(out, JSON.readTree(body));
    return ExitCode.OK;
  }

  /**
   * The agent probes the kernel for IP-in-IP only when a pool asks for it, so without an IPIP pool
   * nothing is known: "native" would be a claim this kernel may not honour.
   */
  private static String ipip(JsonNode s) {
    if (s.path("ipipFallback").asBoolean()) {
      return "no IP-in-IP in this kernel: IPIP pools carried over VXLAN";
    }
    for (JsonNode e : s.path("encapsulation")) {
      if (e.asText().startsWith("ipip")) return "native (tunl0)";
    }
    return "not in use (no IPIP pool)";
  }

  /** The node's addresses; an IPv6-only node says it has no IPv4 rather than printing a gap. */
  static String addresses(JsonNode s) {
    String v4 = s.path("ipv4").isTextual() ? s.path("ipv4").asText() : null;
    String v6 = s.path("ipv6").isTextual() ? s.path("ipv6").asText() : null;
    if (v4 == null) return v6 == null ? "-" : v6 + " (IPv6 only)";
    return v6 == null ? v4 : v4 + ", " + v6;
  }

  static void print(PrintWriter out, JsonNode s) {
    out.println(
        "netctl node agent "
            + s.path("node").asText()
            + " is "
            + (s.path("ready").asBoolean()
                ? "ready"
                : s.path("inSync").asBoolean() ? "in sync, not ready" : "starting"));
    for (boolean v6 : new boolean[] {false, true}) {
      Table t = new Table(List.of("PEER ADDRESS", "PEER TYPE", "STATE", "SINCE", "INFO"));
      for (JsonNode p : s.path("peers")) {
        String a = p.path("address").asText();
        if (a.contains(":") != v6) continue;
        t.row(
            List.of(
                a,
                p.path("type").asText(),
                p.path("state").asText(),
                p.path("since").asText(),
                p.path("info").asText()));
      }
      out.println();
      out.println(v6 ? "IPv6 BGP status" : "IPv4 BGP status");
      if (t.isEmpty()) {
        out.println("No IPv" + (v6 ? 6 : 4) + " peers found.");
        continue;
      }
      t.print(out);
    }
    out.println();
    out.println("Dataplane");
    out.println("  addresses:     " + addresses(s));
    out.println("  routes:        " + s.path("routes").asInt());
    out.println("  VXLAN peers:   " + s.path("vteps").asInt());
    out.println("  pod MTU:       " + s.path("mtu").asInt());
    out.println("  IPIP:          " + ipip(s));
    for (Map.Entry<String, JsonNode> e : s.path("encapsulation").properties()) {
      out.println("  pool " + e.getKey() + ": " + e.getValue().asText());
    }
    for (JsonNode f : s.path("policyFailures")) {
      out.println("  policy FAILED CLOSED: " + f.asText());
    }
    for (JsonNode p : s.path("refusedPools")) {
      out.println("  pool REFUSED:  " + p.asText());
    }
    out.println("  last apply:    " + s.path("lastApply").asText("never"));
    if (!s.path("lastError").isNull() && !s.path("lastError").asText().isEmpty()) {
      out.println("  last error:    " + s.path("lastError").asText());
    }
  }
}
