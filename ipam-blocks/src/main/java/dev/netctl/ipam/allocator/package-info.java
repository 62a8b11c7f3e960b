/**
 * The allocator: {@link dev.netctl.ipam.allocator.IpamAllocator} and its per-node group-commit
 * writer, the block claim protocol, and the seams it reads pools, nodes and settings through.
 */
package dev.netctl.ipam.allocator;
