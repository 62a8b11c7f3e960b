/**
 * Benchmark harnesses: {@code dev.netctl.bench.ipam} (IPAM against etcd) and {@code
 * dev.netctl.bench.bgp} (a bgperf-style harness driving netctl, BIRD, GoBGP and FRR). Each has a
 * {@code main}; results and the commands that reproduce them are in docs/benchmarks.md.
 */
package dev.netctl.bench;
