package dev.netctl.ctl;

import dev.netctl.agent.policy.CompiledPolicy;
import dev.netctl.agent.policy.CompiledRule;
import dev.netctl.agent.policy.Direction;
import dev.netctl.agent.policy.Endpoint;
import dev.netctl.agent.policy.EntityMatch;
import dev.netctl.agent.policy.Evaluator;
import dev.netctl.agent.policy.NamedPort;
import dev.netctl.agent.policy.PolicyModel;
import dev.netctl.agent.policy.PortRange;
import dev.netctl.agent.policy.Verdict;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The verdict of a connection whose source port was not given, for every source port: a verdict
 * changes only where a rule's {@code source.ports}/{@code source.notPorts} range (or a named port
 * of the source endpoint) starts or ends, so evaluating one port per stretch between those edges
 * covers all 65,535 exactly.
 */
final class SourcePortSplit {
  private SourcePortSplit() {}

  static final int MIN = 1;
  static final int MAX = 65535;

  /** Source ports {@code first..last}, over which the verdict is {@code verdict}. */
  record Stretch(int first, int last, Verdict verdict) {
    String ports() {
      return first == last ? Integer.toString(first) : first + "-" + last;
    }
  }

  /**
   * The stretches of source ports with one verdict each, adjacent stretches of equal verdicts
   * merged: one stretch when the source port does not matter.
   */
  static List<Stretch> of(
      PolicyModel model, Evaluator ev, InetAddress src, InetAddress dst, int protocol, int port) {
    TreeSet<Integer> edges = edges(model, ev.endpoint(src));
    List<Stretch> out = new ArrayList<>();
    for (int first : edges) {
      Integer next = edges.higher(first);
      int last = next == null ? MAX : next - 1;
      Verdict v = ev.evaluate(src, first, dst, protocol, port, false);
      if (!out.isEmpty() && out.getLast().verdict().equals(v)) {
        out.set(out.size() - 1, new Stretch(out.getLast().first(), last, v));
      } else {
        out.add(new Stretch(first, last, v));
      }
    }
    return out;
  }

  /** The first port of every stretch: 1, and each edge of a source port condition. */
  private static TreeSet<Integer> edges(PolicyModel model, Endpoint source) {
    TreeSet<Integer> edges = new TreeSet<>();
    edges.add(MIN);
    for (PolicyModel.TierPolicies tier : model.tiers()) {
      for (CompiledPolicy p : tier.policies()) {
        for (Direction d : Direction.values()) {
          for (CompiledRule r : p.rules(d)) {
            EntityMatch s = r.source();
            for (PortRange pr : s.ports()) add(edges, pr);
            for (PortRange pr : s.notPorts()) add(edges, pr);
            // a named source port is resolved on the source endpoint: its numbers are edges
            boolean named = !s.namedPorts().isEmpty() || !s.notNamedPorts().isEmpty();
            if (named && source != null) {
              for (NamedPort np : source.ports()) add(edges, new PortRange(np.port(), np.port()));
            }
          }
        }
      }
    }
    return edges;
  }

  private static void add(TreeSet<Integer> edges, PortRange r) {
    if (r.first() >= MIN && r.first() <= MAX) edges.add(r.first());
    if (r.last() + 1 >= MIN && r.last() + 1 <= MAX) edges.add(r.last() + 1);
  }
}
