package dev.netctl.agent.policy;

/**
 * A policy the dataplane could not render: it fails closed (the endpoints it applies to drop
 * traffic in its directions) until fixed. The agent publishes these in {@code node status} and a
 * metric.
 *
 * @param policy the policy
 * @param reason why, e.g. nft's message
 */
public record PolicyStatus(PolicyId policy, String reason) {}
