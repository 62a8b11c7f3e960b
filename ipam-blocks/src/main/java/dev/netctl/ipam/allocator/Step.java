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
  /** Assignment: the batch's blocks are written, the handle records are not. */
  ASSIGN_BLOCKS_WRITTEN,
  /** Release: the blocks are written, the handle records are not. */
  RELEASE_BLOCKS_WRITTEN
}
