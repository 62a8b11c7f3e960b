/**
 * IPAM: per-node affine blocks carved from IP pools, Calico's model with group-committed writes.
 *
 * <ul>
 *   <li>{@code block}: pure block logic — CIDR arithmetic, a block's allocations, free list and
 *       sequence numbers. No I/O.
 *   <li>{@code store}: the stored records (IPAMBlock, BlockAffinity, IPAMHandle) as JSON on the
 *       {@code Datastore} contract, and CAS read-modify-write helpers.
 *   <li>{@code allocator}: {@code IpamAllocator} — auto-assign, specific assign, releases,
 *       affinities, node and pool clean-up; one group-commit writer per node; the crash-safe block
 *       claim.
 *   <li>{@code check}: consistency report and a repair that fixes exactly what it reports.
 *   <li>{@code usage}: the data behind {@code netctl ipam show}.
 * </ul>
 *
 * <p>{@link dev.netctl.ipam.IpamException} holds one subclass per refused request.
 */
package dev.netctl.ipam;
