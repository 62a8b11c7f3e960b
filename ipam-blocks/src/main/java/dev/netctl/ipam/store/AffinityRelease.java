package dev.netctl.ipam.store;

import dev.netctl.datastore.DatastoreException;
import dev.netctl.ipam.IpamException;
import dev.netctl.ipam.block.Cidr;

/**
 * Releasing a block affinity in the crash-safe order: mark it pendingDeletion (so it no longer
 * counts as ownership), drop the block's owner (deleting the block when empty), delete the record.
 * A writer dying between steps leaves a pendingDeletion affinity that check() reports.
 */
public final class AffinityRelease {
  private AffinityRelease() {}

  public static void release(
      IpamStore store, BlockEditor editor, Versioned<BlockAffinity> aff, boolean force) {
    String node = aff.value().node();
    Cidr cidr = Cidr.parse(aff.value().cidr());
    if (!force) {
      // Refuse before changing anything.
      store
          .block(cidr)
          .map(b -> dev.netctl.ipam.block.Block.of(b.value()))
          .filter(b -> node.equals(b.affinityNode()) && !b.isEmpty())
          .ifPresent(
              b -> {
                throw new IpamException.BlockInUse(cidr.toString(), node, b.inUse());
              });
    }
    Versioned<BlockAffinity> marked;
    try {
      marked =
          store.updateAffinity(
              aff.value().withState(BlockAffinity.State.PENDING_DELETION), aff.revision());
    } catch (DatastoreException.Conflict | DatastoreException.NotFound e) {
      marked = store.affinity(node, cidr).orElse(null);
      if (marked == null) return;
    }
    editor.edit(
        cidr,
        b -> {
          if (!node.equals(b.affinityNode())) return null;
          if (!b.isEmpty() && !force) {
            throw new IpamException.BlockInUse(cidr.toString(), node, b.inUse());
          }
          b.setAffinityNode(null);
          return null;
        });
    try {
      store.deleteAffinity(marked.value(), marked.revision());
    } catch (DatastoreException.Conflict | DatastoreException.NotFound e) {
      store
          .affinity(node, cidr)
          .ifPresent(cur -> store.deleteAffinity(cur.value(), cur.revision()));
    }
  }
}
