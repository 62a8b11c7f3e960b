package dev.netctl.ipam.allocator;

import dev.netctl.ipam.block.AllocationAttribute;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A queued release of addresses in one block, written together with the node's assignments. It is
 * re-applied to the block as stored whenever a write round loses its CAS, so its outcome always
 * describes the write that stuck.
 */
final class PendingRelease implements NodeWriter.Queued {

  /**
   * What releasing did in this block.
   *
   * @param released freed addresses
   * @param stale addresses left alone (re-allocated since, or held by another handle)
   * @param perHandle handle to number of addresses freed
   */
  record Outcome(
      List<InetAddress> released, List<InetAddress> stale, Map<String, Integer> perHandle) {
    static final Outcome NONE = new Outcome(List.of(), List.of(), Map.of());
  }

  final Cidr block;

  /** Specific addresses, or null to release everything {@link #handle} holds. */
  final List<ReleaseRequest> addresses;

  final String handle;
  final CompletableFuture<Outcome> future = new CompletableFuture<>();
  Outcome outcome = Outcome.NONE;

  private PendingRelease(Cidr block, List<ReleaseRequest> addresses, String handle) {
    this.block = block;
    this.addresses = addresses;
    this.handle = handle;
  }

  static PendingRelease ofAddresses(Cidr block, List<ReleaseRequest> addresses) {
    return new PendingRelease(block, List.copyOf(addresses), null);
  }

  static PendingRelease ofHandle(Cidr block, String handle) {
    return new PendingRelease(block, null, handle);
  }

  /** Applies the release to {@code b}, remembering the outcome; true if it changed anything. */
  boolean applyTo(Block b) {
    List<InetAddress> released = new ArrayList<>();
    List<InetAddress> stale = new ArrayList<>();
    Map<String, Integer> perHandle = new TreeMap<>();
    if (addresses == null) {
      for (int o : b.ordinalsOf(handle)) {
        b.release(o, null, handle);
        released.add(b.addressAt(o));
        perHandle.merge(handle, 1, Integer::sum);
      }
    } else {
      for (ReleaseRequest r : addresses) {
        int o = b.ordinalOf(r.address());
        AllocationAttribute holder = b.attributeAt(o);
        switch (b.release(o, r.sequenceNumber(), r.handle())) {
          case RELEASED -> {
            released.add(r.address());
            perHandle.merge(holder.handle(), 1, Integer::sum);
          }
          case STALE, OTHER_HANDLE -> stale.add(r.address());
          case NOT_ALLOCATED -> {
            // Released by someone else meanwhile: nothing left to do.
          }
        }
      }
    }
    outcome = new Outcome(released, stale, perHandle);
    return !released.isEmpty();
  }
}
