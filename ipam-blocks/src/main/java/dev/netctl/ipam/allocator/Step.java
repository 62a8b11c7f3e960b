package dev.netctl.ipam.allocator;

/**
 * Points in the allocator's multi-write protocols where a writer may die; see {@link FaultHook}.
 */
public enum Step {
  /** Block claim: the affinity is written as pending, the block does not exist yet. */
  CLAIM_AFFINITY_PENDING,
  /** Block claim: the block exists, the affinity is still pending. */
  CLAIM_BLOCK_CREATED,
  /** Block claim: the affinity is confirmed. */
  CLAIM_AFFINITY_CONFIRMED,
  /**
   * Assignment: the batch's blocks are written, each in one commit with its handle records; the
   * callers are not answered yet. Only handles that did not fit a commit (or every handle, on a
   * datastore without multi-key commits) are not written yet.
   */
  ASSIGN_BLOCKS_WRITTEN,
  /**
   * Release: the blocks are written; by address, their handle counts went in the same commits, by
   * handle, the handle record is not deleted yet.
   */
  RELEASE_BLOCKS_WRITTEN
}
