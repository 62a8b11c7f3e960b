package dev.netctl.agent.node;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The agent's Prometheus metrics, written in the text exposition format by hand: a handful of
 * counters, gauges and one histogram need no metrics library (and its start-up and memory).
 */
public final class Metrics {

  private static final double[] BUCKETS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5};

  final AtomicLong applies = new AtomicLong();
  final AtomicLong applyErrors = new AtomicLong();
  final AtomicLong resyncs = new AtomicLong();
  final AtomicLong kernelFailures = new AtomicLong();
  private final AtomicLongArray applyBuckets = new AtomicLongArray(BUCKETS.length);
  private final AtomicLong applyNanos = new AtomicLong();
  private volatile int routes;
  private volatile int vteps;
  private volatile boolean ipipFallback;
  private volatile int policyFailures;
  private volatile Map<String, Integer> sessionsByState = Map.of();

  /** Policies failing closed (also set apart: a policy-only apply has no other gauge to change). */
  void policyFailures(int n) {
    this.policyFailures = n;
  }

  void observeApply(long nanos) {
    applies.incrementAndGet();
    applyNanos.addAndGet(nanos);
    double s = nanos / 1e9;
    for (int i = 0; i < BUCKETS.length; i++) if (s <= BUCKETS[i]) applyBuckets.incrementAndGet(i);
  }

  void gauges(
      int routes, int vteps, boolean fallback, Map<String, Integer> sessions, int policyFailures) {
    policyFailures(policyFailures);
    this.routes = routes;
    this.vteps = vteps;
    this.ipipFallback = fallback;
    this.sessionsByState = new TreeMap<>(sessions);
  }

  /** The exposition text. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    sb.append("# HELP netctl_agent_apply_seconds Time of one dataplane apply.\n");
    sb.append("# TYPE netctl_agent_apply_seconds histogram\n");
    for (int i = 0; i < BUCKETS.length; i++) {
      sb.append("netctl_agent_apply_seconds_bucket{le=\"").append(BUCKETS[i]).append("\"} ");
      sb.append(applyBuckets.get(i)).append('\n');
    }
    sb.append("netctl_agent_apply_seconds_bucket{le=\"+Inf\"} ").append(applies.get()).append('\n');
    sb.append("netctl_agent_apply_seconds_sum ").append(applyNanos.get() / 1e9).append('\n');
    sb.append("netctl_agent_apply_seconds_count ").append(applies.get()).append('\n');
    counter(sb, "netctl_agent_apply_errors_total", "Applies that failed.", applyErrors.get());
    counter(sb, "netctl_agent_resyncs_total", "Full re-reads of the kernel.", resyncs.get());
    counter(
        sb,
        "netctl_agent_kernel_failures_total",
        "Routes or VTEPs the kernel refused (retried).",
        kernelFailures.get());
    gauge(sb, "netctl_agent_routes", "Routes the agent has programmed.", routes);
    gauge(sb, "netctl_agent_vteps", "VXLAN peers programmed.", vteps);
    gauge(
        sb,
        "netctl_agent_ipip_fallback",
        "1 when IP-in-IP pools are carried over VXLAN because the kernel has no IPIP.",
        ipipFallback ? 1 : 0);
    gauge(
        sb,
        "netctl_agent_policy_failures",
        "Policies the dataplane cannot render; their endpoints fail closed.",
        policyFailures);
    sb.append("# HELP netctl_agent_bgp_sessions BGP sessions by state.\n");
    sb.append("# TYPE netctl_agent_bgp_sessions gauge\n");
    for (var e : sessionsByState.entrySet()) {
      sb.append("netctl_agent_bgp_sessions{state=\"").append(e.getKey()).append("\"} ");
      sb.append(e.getValue()).append('\n');
    }
    return sb.toString();
  }

  private static void counter(StringBuilder sb, String name, String help, long v) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(" counter\n");
    sb.append(name).append(' ').append(v).append('\n');
  }

  private static void gauge(StringBuilder sb, String name, String help, long v) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(" gauge\n");
    sb.append(name).append(' ').append(v).append('\n');
  }
}
