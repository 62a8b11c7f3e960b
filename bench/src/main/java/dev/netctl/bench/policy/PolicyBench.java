package dev.netctl.bench.policy;

import dev.netctl.agent.policy.Endpoint;
import dev.netctl.agent.policy.NamedPort;
import dev.netctl.agent.policy.NftCommand;
import dev.netctl.agent.policy.NftTransaction;
import dev.netctl.agent.policy.PolicyManager;
import dev.netctl.agent.policy.Protocols;
import dev.netctl.datastore.model.KubernetesNetworkPolicy;
import dev.netctl.datastore.model.KubernetesNetworkPolicySpec;
import dev.netctl.datastore.model.KubernetesNetworkPolicySpec.LabelSelector;
import dev.netctl.datastore.model.KubernetesNetworkPolicySpec.Peer;
import dev.netctl.datastore.model.KubernetesNetworkPolicySpec.Port;
import dev.netctl.datastore.model.KubernetesNetworkPolicySpec.Rule;
import dev.netctl.datastore.model.ObjectMeta;
import dev.netctl.datastore.model.PortSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Policy dataplane benchmark, side by side in one run inside a network namespace it creates:
 *
 * <ol>
 *   <li>full programming of 1,000 Kubernetes policies (10 rules each, 10,000 rules) for 1,000 local
 *       endpoints by {@link PolicyManager} (its default path: the transaction over netlink) against
 *       raw {@code nft -f} of the same transaction's script (same ruleset, no Java);
 *   <li>one policy's rules changed at that scale (p50/p99), against a one-line {@code nft add};
 *   <li>a pod added to (and removed from) sets its labels select (p50/p99), remote and local.
 * </ol>
 *
 * <p>A change of the manager that does not go over netlink (no socket, not encoded, refused) fails
 * the run with the reason, rather than timing nft against nft.
 *
 * <p>Run: {@code java -cp ... dev.netctl.bench.policy.PolicyBench [rounds [full-programming
 * rounds]]} as root.
 */
public final class PolicyBench {
  static final int POLICIES = 1000;
  static final int RULES = 10;
  static final int ENDPOINTS = 1000;
  static final int NAMESPACES = 10;

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int fullRounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    String ns =
        "polbench" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    // a run stopped with SIGTERM (a time limit, ^C) never reaches finally: the hook deletes the
    // namespace then, and finally does it on a normal end (whichever runs first does the work)
    Runnable cleanup = PacketCostBench.cleanup(List.of(ns), List.of());
    Thread hook = new Thread(cleanup, "policy-bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      sh("ip", "netns", "add", ns);
      run(ns, rounds, fullRounds);
    } finally {
      cleanup.run();
      Runtime.getRuntime().removeShutdownHook(hook);
    }
  }

  static KubernetesNetworkPolicy policy(int i, int portBase) {
    List<Rule> rules = new ArrayList<>();
    for (int j = 0; j < RULES; j++) {
      Peer peer =
          new Peer(
              new LabelSelector(Map.of("role", "r" + ((i + j) % 50)), null),
              j % 2 == 0 ? null : new LabelSelector(Map.of("team", "t" + (j % NAMESPACES)), null),
              null);
      Port port = new Port(j % 3 == 0 ? "UDP" : "TCP", PortSpec.of(portBase + j), null);
      rules.add(new Rule(List.of(peer), null, List.of(port)));
    }
    return new KubernetesNetworkPolicy(
        ObjectMeta.namespaced("ns" + (i % NAMESPACES), "p" + i, null),
        new KubernetesNetworkPolicySpec(
            new LabelSelector(Map.of("app", "app" + (i % 100)), null), null, rules, null));
  }

  static Endpoint endpoint(int k, boolean local) throws IOException {
    InetAddress ip = InetAddress.getByName("10.80." + (k >> 8) + "." + (k & 0xff));
    return new Endpoint(
        "ns" + (k % NAMESPACES),
        "pod" + k,
        Map.of("app", "app" + (k % 100), "role", "r" + (k % 50)),
        List.of(ip),
        "cali" + Integer.toHexString(0x100000 + k),
        local ? "node" : "other",
        List.of(new NamedPort("http", Protocols.TCP, 8080)));
  }

  static void run(String ns, int rounds, int fullRounds) throws Exception {
    TimedNft nft = new TimedNft(NftCommand.binary(ns));
    // --- full programming: the manager (its default path: the transaction over netlink) and raw
    // nft -f of the same transaction's script
    List<Long> mgr = new ArrayList<>();
    List<Long> raw = new ArrayList<>();
    List<Long> java = new ArrayList<>();
    PolicyManager m = null;
    String script = null;
    for (int r = 0; r < fullRounds; r++) {
      // alternating which goes first (after round 0, which needs the manager's script), so a
      // load drift during the run does not favour one side
      if (r % 2 == 1) raw.add(rawRun(ns, nft, script));
      sh("ip", "netns", "exec", ns, "nft", "add table inet netctl; delete table inet netctl");
      m = manager(nft);
      long t0 = System.nanoTime();
      long n0 = nft.nanos;
      script = m.apply();
      mgr.add(System.nanoTime() - t0);
      java.add(System.nanoTime() - t0 - (nft.nanos - n0));
      sh("ip", "netns", "exec", ns, "nft", "delete table inet netctl");
      if (r % 2 == 0) raw.add(rawRun(ns, nft, script));
    }
    // leave the manager's table in place for the incremental parts
    m = manager(nft);
    m.apply();
    long lines = script.lines().count();
    long ruleLines = script.lines().filter(l -> l.startsWith("add rule")).count();
    List<Long> over = new ArrayList<>();
    // each round's manager and raw runs are neighbours in time: their ratio shares the load
    List<Long> paired = new ArrayList<>();
    for (int r = 0; r < mgr.size(); r++) {
      over.add(mgr.get(r) - raw.get(r));
      paired.add(1000 * mgr.get(r) / raw.get(r));
    }
    // "outside the transaction": computing it (the listing overlaps); encoding it is inside
    System.out.printf(
        "full programming: %d script lines, %d rules; manager %s ms (outside the transaction %s), raw nft -f %s ms, manager - raw %s ms; ratio of medians %.2f, median of round ratios %.2f%n",
        lines,
        ruleLines,
        ms(mgr),
        ms(java),
        ms(raw),
        ms(over),
        median(mgr) / (double) median(raw),
        median(paired) / 1000.0);

    // --- one policy changed
    long[] change = new long[rounds];
    long[] changeJava = new long[rounds];
    long[] changeRaw = new long[rounds];
    for (int r = 0; r < rounds; r++) {
      m.onUpdate(policy(r % POLICIES, 2000 + (r % 7) * 10));
      long t0 = System.nanoTime();
      long n0 = nft.nanos;
      String changeScript = m.apply();
      change[r] = System.nanoTime() - t0;
      changeJava[r] = change[r] - (nft.nanos - n0);
      // the same transaction again, straight to nft: what the change costs without the manager
      long t1 = System.nanoTime();
      nft.run(changeScript);
      changeRaw[r] = System.nanoTime() - t1;
    }
    long[] oneLine = new long[rounds];
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      nft.run("add rule inet netctl p-anchor counter\n".replace("p-anchor", "forward"));
      oneLine[r] = System.nanoTime() - t0;
    }
    System.out.printf(
        "one policy changed: %s (Java part %s); raw nft -f of the same transaction: %s; one-line nft add: %s%n",
        pct(change), pct(changeJava), pct(changeRaw), pct(oneLine));

    // --- a pod added to selected sets (remote: set elements only; local: + its chains)
    long[] remote = new long[rounds];
    long[] remoteJava = new long[rounds];
    long[] remoteRaw = new long[rounds];
    long[] local = new long[rounds];
    for (int r = 0; r < rounds; r++) {
      Endpoint e = endpoint(ENDPOINTS + r, false);
      m.onEndpointUpdate("bench/remote", e);
      long t0 = System.nanoTime();
      long n0 = nft.nanos;
      m.apply();
      remote[r] = System.nanoTime() - t0;
      remoteJava[r] = remote[r] - (nft.nanos - n0);
      m.onEndpointRemove("bench/remote");
      String del = m.apply();
      long t2 = System.nanoTime();
      nft.run(del.replace("delete element", "add element"));
      remoteRaw[r] = System.nanoTime() - t2;
      nft.run(del);
      Endpoint l = endpoint(ENDPOINTS + 5000 + r, true);
      m.onEndpointUpdate("bench/local" + r, l);
      long t1 = System.nanoTime();
      m.apply();
      local[r] = System.nanoTime() - t1;
      m.onEndpointRemove("bench/local" + r);
      m.apply();
    }
    System.out.printf(
        "pod added (remote, set elements over netlink): %s (Java part %s); raw nft -f of the same elements: %s; local pod (elements + dispatch entries; its chains shared with pods of the same labels): %s%n",
        pct(remote), pct(remoteJava), pct(remoteRaw), pct(local));
  }

  /** Raw {@code nft -f} of {@code script} into no table, timed; the table is deleted after. */
  static long rawRun(String ns, NftCommand nft, String script) throws Exception {
    long t = System.nanoTime();
    nft.run(script);
    long took = System.nanoTime() - t;
    sh("ip", "netns", "exec", ns, "nft", "delete table inet netctl");
    return took;
  }

  /**
   * Adds up the time spent in nft, so the Java part can be told apart; fails a transaction or
   * element change of the manager that did not go over netlink (the bench would compare nft with
   * nft).
   */
  static final class TimedNft implements NftCommand {
    final NftCommand.Binary inner;
    long nanos;

    TimedNft(NftCommand.Binary inner) {
      this.inner = inner;
    }

    private void overNetlink() {
      String why = inner.takeFallback();
      if (why != null) {
        throw new IllegalStateException(
            "the manager's change went through nft -f, not netlink: " + why);
      }
    }

    @Override
    public void run(String script) {
      long t = System.nanoTime();
      try {
        inner.run(script);
      } finally {
        nanos += System.nanoTime() - t;
      }
    }

    @Override
    public void check(String script) {
      inner.check(script);
    }

    @Override
    public void apply(NftTransaction tx) {
      long t = System.nanoTime();
      try {
        inner.apply(tx);
      } finally {
        nanos += System.nanoTime() - t;
      }
      overNetlink();
    }

    @Override
    public void updateElements(String family, String name, List<ElementDelta> deltas) {
      long t = System.nanoTime();
      try {
        inner.updateElements(family, name, deltas);
      } finally {
        nanos += System.nanoTime() - t;
      }
      overNetlink();
    }

    @Override
    public String listTableJson(String family, String name) {
      long t = System.nanoTime();
      try {
        return inner.listTableJson(family, name);
      } finally {
        nanos += System.nanoTime() - t;
      }
    }
  }

  static PolicyManager manager(NftCommand nft) throws IOException {
    PolicyManager m = new PolicyManager("node", "cali", nft);
    for (int n = 0; n < NAMESPACES; n++) m.onNamespace("ns" + n, Map.of("team", "t" + n));
    for (int k = 0; k < ENDPOINTS; k++) m.onEndpointUpdate("e" + k, endpoint(k, true));
    for (int i = 0; i < POLICIES; i++) m.onUpdate(policy(i, 1000));
    return m;
  }

  static String ms(List<Long> ns) {
    return ns.stream().map(v -> String.format("%.0f", v / 1e6)).toList().toString();
  }

  static long median(List<Long> v) {
    List<Long> s = new ArrayList<>(v);
    s.sort(null);
    return s.get(s.size() / 2);
  }

  static String pct(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    return String.format(
        "p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)",
        s[s.length / 2] / 1e6,
        s[(int) Math.ceil(s.length * 0.99) - 1] / 1e6,
        s[s.length - 1] / 1e6,
        s.length);
  }

  static void sh(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + " failed");
    }
  }

  private PolicyBench() {}
}
