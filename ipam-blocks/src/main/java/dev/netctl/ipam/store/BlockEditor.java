package dev.netctl.ipam.store;

import dev.netctl.datastore.DatastoreException;
import dev.netctl.ipam.IpamException;
import dev.netctl.ipam.block.AllocationBlock;
import dev.netctl.ipam.block.Block;
import dev.netctl.ipam.block.Cidr;
import java.util.Optional;
import java.util.function.Function;

/**
 * Read-modify-CAS of one block, re-applying the edit to the current value when another writer got
 * there first. Used by the paths that touch a block once (releases, repairs); assignment batches
 * have their own writer.
 */
public final class BlockEditor {
  private static final int MAX_ATTEMPTS = 64;

  private final IpamStore store;

  public BlockEditor(IpamStore store) {
    this.store = store;
  }

  /**
   * Applies {@code edit} to the current block and writes it if it changed; an emptied block that
   * nobody owns is deleted instead. The edit may run several times and must derive its result from
   * the block it is given only.
   *
   * @return the edit's result from the attempt that stuck; empty when the block does not exist (or
   *     the edit returned null)
   */
  public <R> Optional<R> edit(Cidr cidr, Function<Block, R> edit) {
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Optional<Versioned<AllocationBlock>> current =
          Backoff.retryUnavailable(() -> store.block(cidr));
      if (current.isEmpty()) return Optional.empty();
      Block block = Block.of(current.get().value());
      AllocationBlock before = block.toRecord();
      R result = edit.apply(block);
      AllocationBlock after = block.toRecord();
      if (after.equals(before)) return Optional.ofNullable(result);
      try {
        if (block.isEmpty() && block.affinityNode() == null) {
          store.deleteBlock(cidr, current.get().revision());
        } else {
          store.updateBlock(after, current.get().revision());
        }
        return Optional.ofNullable(result);
      } catch (DatastoreException.Conflict | DatastoreException.NotFound e) {
        // Someone else wrote the block: re-read and re-apply.
      } catch (DatastoreException.Unavailable e) {
        // The write may or may not have landed; the re-read decides, the edit is idempotent.
        Backoff.pause(attempt);
      }
    }
    throw new IpamException.Contention(
        "IPAMBlock \"" + cidr.name() + "\": gave up after " + MAX_ATTEMPTS + " conflicting writes");
  }
}
