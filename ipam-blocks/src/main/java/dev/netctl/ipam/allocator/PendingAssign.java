package dev.netctl.ipam.allocator;

import dev.netctl.ipam.IpamException;
import dev.netctl.ipam.block.AllocationAttribute;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One queued assign request and its progress through a batch's write rounds. */
final class PendingAssign implements NodeWriter.Queued {

  /** An address planned for (and, once its block is written, given to) a request. */
  record Planned(PendingAssign pending, Block.Allocated allocated, boolean v6) {}

  final AssignRequest request;
  final AllocationAttribute attribute;
  final CompletableFuture<AssignResult> future = new CompletableFuture<>();

  /** Addresses in blocks that were written successfully. */
  final List<Planned> got = new ArrayList<>();

  /** Blocks claimed for this request, given back if it fails while they are still empty. */
  final List<Cidr> claimed = new ArrayList<>();

  List<PoolSpec> v4Pools = List.of();
  List<PoolSpec> v6Pools = List.of();
  int needV4;
  int needV6;
  IpamException failure;

  PendingAssign(AssignRequest request) {
    this.request = request;
    this.attribute =
        new AllocationAttribute(
            request.handle(), request.pod(), request.namespace(), request.node());
    this.needV4 = request.v4Count();
    this.needV6 = request.v6Count();
  }

  int need(boolean v6) {
    return v6 ? needV6 : needV4;
  }

  void addNeed(boolean v6, int delta) {
    if (v6) needV6 += delta;
    else needV4 += delta;
  }

  boolean satisfied() {
    return needV4 == 0 && needV6 == 0;
  }

  List<PoolSpec> pools(boolean v6) {
    return v6 ? v6Pools : v4Pools;
  }

  AssignResult result() {
    List<AssignedAddress> v4 = new ArrayList<>();
    List<AssignedAddress> v6 = new ArrayList<>();
    for (Planned t : got) {
      Block.Allocated a = t.allocated();
      (t.v6() ? v6 : v4).add(new AssignedAddress(a.address(), a.block(), a.sequenceNumber()));
    }
    return new AssignResult(v4, v6);
  }
}
