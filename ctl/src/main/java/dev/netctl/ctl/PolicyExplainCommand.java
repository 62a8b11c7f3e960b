package dev.netctl.ctl;

import dev.netctl.agent.policy.Endpoint;
import dev.netctl.agent.policy.Evaluator;
import dev.netctl.agent.policy.IpFamily;
import dev.netctl.agent.policy.Matrix;
import dev.netctl.agent.policy.PolicySnapshot;
import dev.netctl.agent.policy.Protocols;
import dev.netctl.agent.policy.Verdict;
import dev.netctl.datastore.model.Cidr;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code netctl policy explain}: may A reach B on a port, and which policy and rule decided each
 * direction — the same evaluator whose model the node agent renders to nftables.
 */
@Command(
    name = "explain",
    description = {
      "Explain whether one connection is allowed, and which policy and rule decided it.",
      "Prints the verdict, then for the source's egress and the destination's ingress the deciding",
      "policy and rule, 'not isolated', or 'isolated by P; no rule allows'. Without --source-port",
      "a verdict that rules with source ports make depend on it is given per range of source ports.",
      "Example: netctl policy explain -f policies/ --from x/a --to y/b --port 80/TCP"
    })
final class PolicyExplainCommand implements Callable<Integer> {

  @ParentCommand PolicyCommand policy;
  @Spec CommandSpec spec;
  @Mixin FileOptions files;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "NS/POD|IP",
      description = "The source pod or address.")
  String from;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "NS/POD|IP",
      description = "The destination pod or address.")
  String to;

  @Option(
      names = "--port",
      required = true,
      paramLabel = "[PROTO/]PORT",
      description = "Destination port, e.g. 80, TCP/80, 53/UDP.")
  String port;

  @Option(
      names = "--source-port",
      paramLabel = "PORT",
      description =
          "Source port (TCP, UDP, SCTP, UDPLite), for rules with source.ports or source.notPorts;"
              + " without it a verdict that depends on the source port is given per range of"
              + " source ports.")
  Integer sourcePort;

  @Option(
      names = "--ipv6",
      description =
          "Pods given by name use their IPv6 address (default: IPv4, or the family of an address given as --from/--to).")
  boolean ipv6;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "table (default) or json.")
  PolicyCommand.Format output = PolicyCommand.Format.table;

  @Override
  public Integer call() {
    Matrix.PortProto pp;
    try {
      pp = Matrix.PortProto.parse(port);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "--port \"" + port + "\": " + e.getMessage());
    }
    if (sourcePort != null) {
      if (sourcePort < 1 || sourcePort > 65535) {
        throw new CliException(
            ExitCode.USAGE, "--source-port " + sourcePort + ": must be a port 1-65535");
      }
      if (!Protocols.hasPorts(pp.protocol())) {
        throw new CliException(
            ExitCode.USAGE,
            "--source-port "
                + sourcePort
                + ": protocol "
                + Protocols.name(pp.protocol())
                + " has no ports (TCP, UDP, SCTP and UDPLite do)");
      }
    }
    List<String> notes = new ArrayList<>();
    PolicySnapshot snap = policy.snapshot(files, ResourceVerb.CODEC, notes);
    InetAddress fromIp = literal(from);
    InetAddress toIp = literal(to);
    IpFamily family =
        ipv6
            ? IpFamily.V6
            : fromIp != null ? IpFamily.of(fromIp) : toIp != null ? IpFamily.of(toIp) : IpFamily.V4;
    InetAddress src = fromIp != null ? fromIp : address(snap, from, "--from", family);
    InetAddress dst = toIp != null ? toIp : address(snap, to, "--to", family);
    if (IpFamily.of(src) != IpFamily.of(dst)) {
      throw new CliException(
          ExitCode.USAGE,
          "--from "
              + Cidr.format(src)
              + " and --to "
              + Cidr.format(dst)
              + " are of different IP families: a packet has one");
    }
    Evaluator ev = snap.evaluator();
    // Without --source-port the answer is given for every source port: a rule with a source port
    // condition would otherwise silently never match, and "deny" would be wrong for the ports it
    // allows. When the verdict is the same for all, it is printed as for one port.
    List<SourcePortSplit.Stretch> stretches =
        sourcePort == null && Protocols.hasPorts(pp.protocol())
            ? SourcePortSplit.of(snap.model(), ev, src, dst, pp.protocol(), pp.port())
            : List.of(
                new SourcePortSplit.Stretch(
                    0,
                    0,
                    ev.evaluate(
                        src,
                        sourcePort == null ? -1 : sourcePort,
                        dst,
                        pp.protocol(),
                        pp.port(),
                        false)));
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    for (String n : notes) err.println("note: " + n);
    err.flush();
    String fromName = name(ev, src);
    String toName = name(ev, dst);
    boolean split = stretches.size() > 1;
    if (output == PolicyCommand.Format.json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("from", fromName);
      m.put("to", toName);
      m.put("port", pp.toString());
      if (sourcePort != null) m.put("sourcePort", sourcePort);
      if (split) {
        m.put("verdict", DEPENDS);
        List<Map<String, Object>> each = new ArrayList<>();
        for (SourcePortSplit.Stretch st : stretches) {
          Map<String, Object> one = new LinkedHashMap<>();
          one.put("sourcePorts", st.ports());
          verdict(one, st.verdict());
          each.add(one);
        }
        m.put("bySourcePort", each);
      } else {
        verdict(m, stretches.getFirst().verdict());
      }
      IpamJson.print(out, m);
    } else {
      Verdict v = stretches.getFirst().verdict();
      out.println(
          "verdict: "
              + (split
                  ? "depends on the source port (--source-port PORT asks about one)"
                  : word(v)));
      out.println("from:    " + fromName);
      out.println("to:      " + toName);
      out.println("port:    " + pp);
      if (sourcePort != null) out.println("sport:   " + sourcePort);
      if (split) {
        for (SourcePortSplit.Stretch st : stretches) {
          out.println("sport " + st.ports() + ": " + word(st.verdict()));
          out.println("  egress:  " + st.verdict().egress().text());
          out.println("  ingress: " + st.verdict().ingress().text());
        }
      } else {
        out.println("egress:  " + v.egress().text());
        out.println("ingress: " + v.ingress().text());
      }
      out.flush();
    }
    return ExitCode.OK;
  }

  /** The JSON verdict when it differs between source ports. */
  static final String DEPENDS = "depends-on-source-port";

  private static String word(Verdict v) {
    return v.allowed() ? "allow" : "deny";
  }

  private static void verdict(Map<String, Object> m, Verdict v) {
    m.put("verdict", word(v));
    m.put("egress", decision(v.egress()));
    m.put("ingress", decision(v.ingress()));
  }

  private static Map<String, Object> decision(Verdict.Decision d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("outcome", d.outcome().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    m.put("allows", d.allows());
    m.put("policy", d.policy() == null ? null : d.policy().toString());
    m.put("rule", d.rule());
    m.put("reason", d.text());
    return m;
  }

  private static String name(Evaluator ev, InetAddress a) {
    Endpoint e = ev.endpoint(a);
    return e == null ? Cidr.format(a) : e.id() + " (" + Cidr.format(a) + ")";
  }

  /** The address when {@code s} is one, else null (a pod name: {@code ns/pod}). */
  private static InetAddress literal(String s) {
    if (s.contains("/")) return null;
    try {
      return Cidr.parseAddress(s);
    } catch (IllegalArgumentException ex) {
      return null;
    }
  }

  private static InetAddress address(
      PolicySnapshot snap, String s, String option, IpFamily family) {
    Endpoint e = snap.endpoint(s);
    if (e != null) {
      InetAddress a = e.address(family);
      if (a != null) return a;
      throw new CliException(
          ExitCode.NOT_FOUND,
          option
              + " \""
              + s
              + "\" has no "
              + (family == IpFamily.V4 ? "IPv4" : "IPv6")
              + " address"
              // the pod of an IPv6-only node has only the other family: say how to ask about it
              + (family == IpFamily.V4
                  ? " (--ipv6 explains its IPv6 address)"
                  : " (without --ipv6 it is explained by its IPv4 address)"));
    }
    throw new CliException(
        ExitCode.NOT_FOUND,
        option
            + " \""
            + s
            + "\" is neither a known pod nor an IP address (pods: "
            + known(snap)
            + ")");
  }

  private static String known(PolicySnapshot snap) {
    List<String> ids = snap.endpoints().stream().map(Endpoint::id).limit(10).toList();
    return ids.isEmpty()
        ? "none"
        : String.join(", ", ids) + (snap.endpoints().size() > 10 ? ", ..." : "");
  }
}
