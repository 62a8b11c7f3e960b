/**
 * Network policy: one ordered model compiled from Calico NetworkPolicy/GlobalNetworkPolicy and
 * Kubernetes NetworkPolicy ({@link dev.netctl.agent.policy.PolicyCompiler}), an {@link
 * dev.netctl.agent.policy.Evaluator} that answers "may A talk to B" from it, and an nftables
 * renderer ({@link dev.netctl.agent.policy.PolicyRenderer}) plus {@link
 * dev.netctl.agent.policy.PolicyManager} that program the same model. Evaluator and renderer read
 * the same compiled rules, so a prediction and the dataplane cannot drift apart.
 *
 * <p>Everything here but {@link dev.netctl.agent.policy.NftCommand} and {@code NftNetlink} (set
 * element batches over {@code NETLINK_NETFILTER}) is pure (no I/O).
 */
package dev.netctl.agent.policy;
