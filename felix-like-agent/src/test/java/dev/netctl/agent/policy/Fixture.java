package dev.netctl.agent.policy;

import dev.netctl.datastore.model.Resource;
import dev.netctl.datastore.model.ResourceCodec;
import dev.netctl.datastore.model.Tier;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Namespaces x, y, z (labelled {@code ns}) with pods a, b, c (labelled {@code pod}); pod x/a is
 * 10.0.0.1, x/b 10.0.0.2 ... z/c 10.0.0.9. Each pod's port named {@code http} is 8080/TCP, except
 * y/b's which is 9090/TCP.
 */
final class Fixture {
  static final ResourceCodec CODEC = new ResourceCodec();
  final List<Endpoint> endpoints = new ArrayList<>();
  final Map<String, Map<String, String>> namespaces = new HashMap<>();

  Fixture() {
    int n = 1;
    for (String ns : List.of("x", "y", "z")) {
      namespaces.put(ns, Map.of("ns", ns));
      for (String pod : List.of("a", "b", "c")) {
        int http = ns.equals("y") && pod.equals("b") ? 9090 : 8080;
        endpoints.add(
            new Endpoint(
                ns,
                pod,
                Map.of("pod", pod),
                List.of(ip("10.0.0." + n++)),
                "cali" + ns + pod,
                "node",
                List.of(new NamedPort("http", Protocols.TCP, http))));
      }
    }
  }

  static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  InetAddress ipOf(String id) {
    return endpoints.stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow().ipv4();
  }

  /** An evaluator over the policies (and tiers) in {@code yaml}. */
  Evaluator evaluator(String yaml) {
    List<CompiledPolicy> ps = new ArrayList<>();
    Map<String, Tier.Spec> tiers = new HashMap<>();
    for (Resource r : CODEC.read(yaml)) {
      if (r instanceof Tier t) tiers.put(t.name(), t.spec());
      else ps.add(PolicyCompiler.compile(r));
    }
    return new Evaluator(new PolicyModel(ps, tiers), endpoints, namespaces);
  }

  Verdict tcp(Evaluator ev, String from, String to, int port) {
    return ev.evaluate(ipOf(from), ipOf(to), Protocols.TCP, port);
  }
}
