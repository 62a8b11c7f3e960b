package dev.netctl.agent.calc;

import dev.netctl.datastore.model.Cidr;

/**
 * An IPAM block and the node it is affine to.
 *
 * @param cidr the block
 * @param node the node that owns it, or null for a block without host affinity
 */
public record BlockInfo(Cidr cidr, String node) {}
